//! Every recorded reply in `tests/providers/*.json` (one file per provider: found, not found, malicious, benign,
//! 401, 429 with `Retry-After`, 500, slow, malformed) read by the core and applied to a real local lookup.
use super::*;
use crate::{LookupOptions, lookup};
use serde_json::json;

const CORPUS: [&str; 9] = [
    include_str!("../../../tests/providers/virustotal.json"),
    include_str!("../../../tests/providers/abuseipdb.json"),
    include_str!("../../../tests/providers/otx.json"),
    include_str!("../../../tests/providers/greynoise.json"),
    include_str!("../../../tests/providers/internetdb.json"),
    include_str!("../../../tests/providers/threatfox.json"),
    include_str!("../../../tests/providers/urlhaus.json"),
    include_str!("../../../tests/providers/malwarebazaar.json"),
    include_str!("../../../tests/providers/ioclens.json"),
];
const NOW: i64 = 1_796_601_600; // 2026-12-07

/// The reply a host hands the core for a recorded case: a slow reply (longer than the corpus's host timeout) is
/// the host's timeout error, as every host reports it.
fn reply_of(provider: ProviderId, case: &Value, timeout_ms: u64) -> ProviderReply {
    let r = &case["reply"];
    if r["delay_ms"].as_u64().unwrap_or(0) > timeout_ms {
        return ProviderReply {
            provider,
            status: 0,
            body: None,
            retry_after: None,
            error: Some("operation timed out".into()),
        };
    }
    ProviderReply {
        provider,
        status: r["status"].as_u64().unwrap() as u16,
        body: Some(r["body"].clone()),
        retry_after: r["retry_after"].as_str().map(str::to_owned),
        error: None,
    }
}

#[test]
fn every_recorded_reply_reads_as_documented() {
    let mut seen = 0;
    for file in CORPUS {
        let doc: Value = serde_json::from_str(file).unwrap();
        let provider = ProviderId::parse(doc["provider"].as_str().unwrap()).unwrap();
        let timeout = doc["host_timeout_ms"].as_u64().unwrap();
        let names: Vec<&str> =
            doc["cases"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        for required in [
            "malicious",
            "not-found",
            "unauthorized",
            "rate-limited",
            "server-error",
            "slow",
            "malformed",
        ] {
            assert!(names.contains(&required), "{provider}: no `{required}` case");
        }
        for case in doc["cases"].as_array().unwrap() {
            seen += 1;
            let name = format!("{provider}/{}", case["name"].as_str().unwrap());
            let exp = &case["expect"];
            let local = lookup(case["value"].as_str().unwrap(), &LookupOptions::default(), NOW);
            let kind: IocKind = serde_json::from_value(case["type"].clone()).unwrap();
            assert_eq!(local.ioc_type, kind, "{name}: the value classifies as its type");
            assert!(provider.applies(kind), "{name}");
            let out = parse_reply(kind, &reply_of(provider, case, timeout));
            assert_eq!(out.status.as_str(), exp["status"].as_str().unwrap(), "{name}: {out:?}");
            if let Some(f) = exp["factor"].as_str() {
                assert!(
                    out.factors.iter().any(|x| x.name.as_str() == f),
                    "{name}: no factor {f}: {out:?}"
                );
            }
            if let Some(s) = exp["retry_after"].as_u64() {
                assert_eq!(out.retry_after, Some(s as u32), "{name}");
                assert!(out.retryable, "{name}");
            }
            assert_eq!(
                out.retryable,
                matches!(
                    out.status,
                    ProviderStatus::RateLimited
                        | ProviderStatus::Unavailable
                        | ProviderStatus::Timeout
                ),
                "{name}: retries only where allowed"
            );
            let mut merged = local.clone();
            apply(&mut merged, std::slice::from_ref(&out));
            let summary = merged.score.providers.iter().find(|s| s.provider == provider);
            assert_eq!(summary.map(|s| s.status), Some(out.status), "{name}: status recorded");
            if !out.status.cacheable() {
                // Fail-open: a failed provider changes nothing but its status line.
                assert_eq!(merged.score.score, local.score.score, "{name}");
                assert_eq!(merged.score.verdict, local.score.verdict, "{name}");
            }
            if let Some(v) = exp["verdict"].as_str() {
                assert_eq!(
                    serde_json::to_value(merged.score.verdict).unwrap(),
                    json!(v),
                    "{name}: {:?}",
                    merged.score
                );
            }
            if let Some(min) = exp["min_score"].as_u64() {
                assert!(
                    u64::from(merged.score.score) >= min,
                    "{name}: {} < {min}",
                    merged.score.score
                );
            }
            if let Some(f) = exp["family"].as_str() {
                assert_eq!(merged.malware_family.as_deref(), Some(f), "{name}");
            }
            if let Some(t) = exp["technique"].as_str() {
                assert!(
                    merged.mitre_techniques.iter().any(|m| m.id == t),
                    "{name}: {:?}",
                    merged.mitre_techniques
                );
            }
            if let Some(t) = exp["tag"].as_str() {
                assert!(
                    merged.score.tags.iter().any(|x| x == t),
                    "{name}: {:?}",
                    merged.score.tags
                );
            }
            // The factors' contributions still sum to the score's movement.
            let added: i32 = merged.score.factors[local.score.factors.len()..]
                .iter()
                .map(|f| f.contribution)
                .sum();
            if provider != ProviderId::Ioclens {
                assert_eq!(
                    i32::from(merged.score.score) - i32::from(local.score.score),
                    added,
                    "{name}"
                );
            }
        }
    }
    assert!(seen >= 70, "{seen} cases");
}

#[test]
fn requests_carry_no_secret_and_name_the_slot() {
    let cfg = ProviderConfig {
        providers: ProviderId::ALL.to_vec(),
        keys: vec![ProviderId::Virustotal, ProviderId::Threatfox],
        base_urls: vec![(ProviderId::Ioclens, "http://127.0.0.1:9/".into())],
    };
    let plan = requests("http://evil.test/a b?x=1&y=2", IocKind::Url, &cfg);
    let sent: Vec<ProviderId> = plan.requests.iter().map(|r| r.provider).collect();
    assert_eq!(sent, [ProviderId::Virustotal, ProviderId::Threatfox, ProviderId::Ioclens]);
    let vt = &plan.requests[0];
    // base64url of the URL, no padding.
    assert_eq!(
        vt.url,
        "https://www.virustotal.com/api/v3/urls/aHR0cDovL2V2aWwudGVzdC9hIGI_eD0xJnk9Mg"
    );
    assert_eq!(vt.secret_header.as_deref(), Some("x-apikey"));
    let tf = &plan.requests[1];
    assert_eq!(tf.method, "POST");
    let body: Value = serde_json::from_str(tf.body.as_deref().unwrap()).unwrap();
    assert_eq!(body, json!({"query": "search_ioc", "search_term": "http://evil.test/a b?x=1&y=2"}));
    assert!(
        plan.requests[2].url.starts_with("http://127.0.0.1:9/api/v1/lookup?ioc=http%3A%2F%2Fevil")
    );
    let skipped: Vec<(ProviderId, ProviderStatus)> =
        plan.skipped.iter().map(|s| (s.provider, s.status)).collect();
    assert!(skipped.contains(&(ProviderId::Otx, ProviderStatus::NoKey)));
    assert!(skipped.contains(&(ProviderId::Urlhaus, ProviderStatus::NoKey)));
    assert!(skipped.contains(&(ProviderId::Abuseipdb, ProviderStatus::NotApplicable)));
    assert!(skipped.contains(&(ProviderId::Malwarebazaar, ProviderStatus::NotApplicable)));
    // A hostile value stays inside its encoded slot.
    let cfg = ProviderConfig {
        providers: vec![ProviderId::Urlhaus],
        keys: vec![ProviderId::Urlhaus],
        ..Default::default()
    };
    let r = &requests("evil.test", IocKind::Domain, &cfg).requests[0];
    assert_eq!(r.body.as_deref(), Some("host=evil.test"));
    let plan = requests(
        "1.2.3.4&key=x",
        IocKind::Ipv4,
        &ProviderConfig {
            providers: vec![ProviderId::Abuseipdb],
            keys: vec![ProviderId::Abuseipdb],
            base_urls: vec![(ProviderId::Abuseipdb, "http://127.0.0.1:1".into())],
        },
    );
    assert_eq!(
        plan.requests[0].url,
        "http://127.0.0.1:1/api/v2/check?ipAddress=1.2.3.4%26key%3Dx&maxAgeInDays=90"
    );
    // No ioclens base URL: not configured. Internetdb needs no key.
    let plan = requests(
        "8.8.8.8",
        IocKind::Ipv4,
        &ProviderConfig {
            providers: vec![ProviderId::Ioclens, ProviderId::Internetdb],
            ..Default::default()
        },
    );
    assert_eq!(plan.skipped[0].status, ProviderStatus::NotConfigured);
    assert_eq!(plan.requests[0].url, "https://internetdb.shodan.io/8.8.8.8");
    assert_eq!(plan.requests[0].secret_header, None);
}

#[test]
fn ids_parse_and_statuses_are_one_set() {
    assert_eq!(
        ProviderId::parse_list("VirusTotal, abuseipdb,virustotal").unwrap(),
        [ProviderId::Virustotal, ProviderId::Abuseipdb]
    );
    assert!(ProviderId::parse_list("all").unwrap().len() == 8);
    let e = ProviderId::parse_list("virustotal,shodan").unwrap_err();
    assert!(e.contains("`shodan`") && e.contains("greynoise"), "{e}");
    for p in ProviderId::ALL {
        assert_eq!(serde_json::to_value(p).unwrap(), json!(p.as_str()));
        assert_eq!(p.info().secret_header.is_none(), p.info().key == KeyUse::None);
    }
    let s = ProviderStatus::RateLimited;
    assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
    assert_eq!(retry_after_secs(" 120 "), Some(120));
    assert_eq!(retry_after_secs("Wed, 21 Oct 2026 07:28:00 GMT"), None);
}

#[test]
fn reserved_values_are_never_moved_and_benign_evidence_yields_to_malicious() {
    let local = lookup("10.0.0.1", &LookupOptions::default(), NOW);
    let mut m = local.clone();
    let mut hit = ProviderOutcome::new(ProviderId::Threatfox, ProviderStatus::Found);
    hit.factor(FactorName::ThreatfoxIoc, 90, "x".into());
    hit.verdict = Some(Verdict::Malicious);
    apply(&mut m, &[hit.clone()]);
    assert_eq!(m.score.score, local.score.score);
    assert_eq!(m.score.verdict, Verdict::Reserved);
    // RIOT and a ThreatFox hit together: the hit wins, the benign points are not applied.
    let pub_ip = lookup("45.155.205.233", &LookupOptions::default(), NOW);
    let mut riot = ProviderOutcome::new(ProviderId::Greynoise, ProviderStatus::Found);
    riot.factor(FactorName::GreynoiseRiot, -30, "x".into());
    riot.verdict = Some(Verdict::Benign);
    let mut m = pub_ip.clone();
    apply(&mut m, &[riot, hit]);
    assert_eq!(m.score.verdict, Verdict::Malicious);
    assert!(m.score.score >= 90);
    let riot_f = m.score.factors.iter().find(|f| f.name == FactorName::GreynoiseRiot).unwrap();
    assert_eq!(riot_f.contribution, 0);
}

#[cfg(feature = "providers")]
#[test]
fn the_dispatcher_ops_round_trip() {
    let call = |op: &str, req: &Value| -> Value {
        let got: Value = serde_json::from_str(&crate::api::call(op, &req.to_string())).unwrap();
        assert!(got.get("error").is_none(), "{op}: {got}");
        got["ok"].clone()
    };
    let list = call("providers", &json!({}));
    assert_eq!(list["providers"][0]["id"], "virustotal");
    assert_eq!(list["providers"][0]["per_minute"], 4);
    let plan = call(
        "provider_requests",
        &json!({"value": "45.155.205.233", "type": "ipv4", "providers": ["greynoise", "abuseipdb"],
                "base_urls": {"greynoise": "http://127.0.0.1:1"}}),
    );
    assert_eq!(plan["requests"][0]["url"], "http://127.0.0.1:1/v3/community/45.155.205.233");
    assert_eq!(plan["skipped"][0], json!({"provider": "abuseipdb", "status": "no_key"}));
    let out = call(
        "provider_reply",
        &json!({"type": "ipv4", "reply": {"provider": "greynoise", "status": 429, "retry_after": "7"}}),
    );
    assert_eq!(out["status"], "rate_limited");
    assert_eq!(out["retry_after"], 7);
    let local =
        serde_json::to_value(lookup("45.155.205.233", &LookupOptions::default(), NOW)).unwrap();
    let merged = call(
        "merge_providers",
        &json!({"local": local, "replies": [
            {"provider": "greynoise", "status": 200, "body": {"noise": true, "riot": false, "classification": "malicious"}},
            {"provider": "abuseipdb", "status": 0, "error": "no_key: IOCLENS_ABUSEIPDB_KEY not set"},
            {"provider": "otx", "status": 0, "error": "skipped: circuit open"}]}),
    );
    assert_eq!(
        merged["score"]["providers"][0],
        json!({"provider": "greynoise", "status": "found"})
    );
    assert_eq!(merged["score"]["providers"][1]["status"], "no_key");
    assert_eq!(merged["score"]["providers"][2]["status"], "skipped");
    assert!(merged["score"]["score"].as_u64().unwrap() >= 70);
    let bad: Value = serde_json::from_str(&crate::api::call(
        "provider_requests",
        &json!({"value": "x", "type": "ipv4", "providers": ["shodan"]}).to_string(),
    ))
    .unwrap();
    assert!(bad["error"]["message"].as_str().unwrap().contains("shodan"), "{bad}");
}
