//! Hunting queries: Splunk SPL and Sentinel KQL, with an escaping contract.
