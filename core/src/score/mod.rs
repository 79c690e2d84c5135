//! Risk score, confidence, decay and remote-score merging (sans-I/O).
