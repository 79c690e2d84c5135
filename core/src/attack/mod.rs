//! ATT&CK knowledge base (embedded v18.1) and indicator → technique mapping.
