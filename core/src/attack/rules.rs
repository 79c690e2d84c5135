//! The mapping rules: indicator type + facts + context → techniques with reasons.
//!
//! Every technique id a rule can emit is a constant listed in [`RULE_IDS`]; a test checks that each one exists,
//! is active and is not revoked in the embedded catalogue. Ids that come from data (CTID, ATT&CK software/group
//! technique lists) are checked by running the mapper over every row of those tables.
use super::tables::{CtidRow, KevRow};
use super::{
    MapContext, MappingConfidence as Conf, MappingSource as Source, TechniqueMapping, full_name,
    other_row, other_tactics, technique_by_index, technique_row, technique_tactics,
};
use crate::generated::attack_context as gx;
use crate::generated::attack_words::{
    CLIENT_WORDS, EDGE_VENDORS, KERNEL_BUG_WORDS, KERNEL_WORDS, SERVER_PRODUCTS, SERVER_WORDS,
    TOOL_EXTENSIONS,
};
use crate::model::{AttackIdKind, Classified, IocKind};

// Technique ids emitted by rules (kept together so the catalogue test can check them all).
const APP_LAYER: &str = "T1071";
const WEB: &str = "T1071.001";
const FILE_TRANSFER: &str = "T1071.002";
const MAIL: &str = "T1071.003";
const DNS: &str = "T1071.004";
const PUBSUB: &str = "T1071.005";
const NON_STANDARD_PORT: &str = "T1571";
const INGRESS: &str = "T1105";
const PHISHING: &str = "T1566";
const SPEAR_ATTACHMENT: &str = "T1566.001";
const SPEAR_LINK: &str = "T1566.002";
const DYNAMIC_RESOLUTION: &str = "T1568";
const DGA: &str = "T1568.002";
const PROXY: &str = "T1090";
const MULTI_HOP: &str = "T1090.003";
const WEB_SERVICE: &str = "T1102";
const MALICIOUS_FILE: &str = "T1204.002";
const PUBLIC_FACING: &str = "T1190";
const CLIENT_EXEC: &str = "T1203";
const PRIV_ESC: &str = "T1068";
const DEFENSE_EVASION_EXPLOIT: &str = "T1211";
const CRED_EXPLOIT: &str = "T1212";
const REMOTE_SERVICES_EXPLOIT: &str = "T1210";
const ENCRYPT_IMPACT: &str = "T1486";
const ENDPOINT_DOS_EXPLOIT: &str = "T1499.004";
const MALICIOUS_LINK: &str = "T1204.001";
const RUN_KEYS: &str = "T1547.001";
const WINLOGON: &str = "T1547.004";
const WINDOWS_SERVICE: &str = "T1543.003";
const IFEO: &str = "T1546.012";
const MODIFY_REGISTRY: &str = "T1112";
const POWERSHELL: &str = "T1059.001";
const UNIX_SHELL: &str = "T1059.004";
const VISUAL_BASIC: &str = "T1059.005";
const WINDOWS_SHELL: &str = "T1059.003";
const PYTHON: &str = "T1059.006";
const JAVASCRIPT: &str = "T1059.007";
const CRON: &str = "T1053.003";
const SYSTEMD: &str = "T1543.002";
const LAUNCH_AGENT: &str = "T1543.001";
const LAUNCH_DAEMON: &str = "T1543.004";
const SSH_KEYS: &str = "T1098.004";

/// Every technique id a rule of this module can emit on its own (not from data tables).
#[cfg(test)]
pub(crate) const RULE_IDS: &[&str] = &[
    APP_LAYER,
    WEB,
    FILE_TRANSFER,
    MAIL,
    DNS,
    PUBSUB,
    NON_STANDARD_PORT,
    INGRESS,
    PHISHING,
    SPEAR_ATTACHMENT,
    SPEAR_LINK,
    DYNAMIC_RESOLUTION,
    DGA,
    PROXY,
    MULTI_HOP,
    WEB_SERVICE,
    MALICIOUS_FILE,
    PUBLIC_FACING,
    CLIENT_EXEC,
    PRIV_ESC,
    DEFENSE_EVASION_EXPLOIT,
    CRED_EXPLOIT,
    REMOTE_SERVICES_EXPLOIT,
    ENCRYPT_IMPACT,
    ENDPOINT_DOS_EXPLOIT,
    MALICIOUS_LINK,
    RUN_KEYS,
    WINLOGON,
    WINDOWS_SERVICE,
    IFEO,
    MODIFY_REGISTRY,
    POWERSHELL,
    UNIX_SHELL,
    VISUAL_BASIC,
    WINDOWS_SHELL,
    PYTHON,
    JAVASCRIPT,
    CRON,
    SYSTEMD,
    LAUNCH_AGENT,
    LAUNCH_DAEMON,
    SSH_KEYS,
];

/// Collects mappings; the same technique from two rules keeps the stronger one (first on a tie).
struct Out {
    items: Vec<TechniqueMapping>,
}

impl Out {
    fn push(&mut self, id: &str, confidence: Conf, source: Source, reason: String, inferred: bool) {
        let Some(mut m) = mapping(id, confidence, source, reason) else { return };
        m.inferred = inferred;
        if let Some(prev) = self.items.iter_mut().find(|p| p.id == m.id) {
            if m.confidence > prev.confidence {
                *prev = m;
            }
            return;
        }
        self.items.push(m);
    }

    fn rule(&mut self, id: &str, confidence: Conf, reason: String) {
        self.push(id, confidence, Source::Rule, reason, false);
    }

    fn finish(mut self) -> Vec<TechniqueMapping> {
        // Stable: strongest first, rule order within a confidence level.
        self.items.sort_by_key(|m| std::cmp::Reverse(m.confidence));
        self.items
    }
}

/// Builds a mapping for an active technique; a revoked id becomes its replacement (the reason says so), a
/// deprecated or unknown id gives nothing.
fn mapping(id: &str, confidence: Conf, source: Source, reason: String) -> Option<TechniqueMapping> {
    if let Some(t) = technique_row(id) {
        if t.revoked {
            let next = t.revoked_by?;
            return mapping(
                next,
                confidence,
                source,
                format!("{reason} ({id} is revoked; ATT&CK replaced it with {next})"),
            );
        }
        if t.deprecated {
            return None;
        }
        return Some(TechniqueMapping {
            id: t.id.to_owned(),
            name: full_name(t),
            tactics: technique_tactics(t),
            confidence,
            source,
            reason,
            inferred: false,
            domain: None,
        });
    }
    let r = other_row(id).filter(|r| !r.revoked && !r.deprecated && !r.id.starts_with("TA"))?;
    Some(TechniqueMapping {
        id: r.id.to_owned(),
        name: r.name.to_owned(),
        tactics: other_tactics(r),
        confidence,
        source,
        reason,
        inferred: false,
        domain: Some(r.domain.to_owned()),
    })
}

pub(crate) fn map(c: &Classified, ctx: &MapContext) -> Vec<TechniqueMapping> {
    let mut out = Out { items: Vec::new() };
    match c.kind {
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => ip(c, ctx, &mut out),
        IocKind::Domain => domain(c, ctx, &mut out),
        IocKind::Url => url(c, ctx, &mut out),
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => hash(c, &mut out),
        IocKind::Email => email(c, &mut out),
        IocKind::Cve => cve(&c.canonical, &mut out),
        IocKind::Attack => attack_id(c, &mut out),
        IocKind::RegistryKey => registry(&c.canonical, &mut out),
        IocKind::FilePath => file_path(&c.canonical, &mut out),
        IocKind::Asn | IocKind::Btc | IocKind::Unknown => {}
    }
    if c.kind != IocKind::Unknown {
        if let Some(f) = ctx.family.as_deref() {
            // A hash *is* the family's file: all its techniques. For infrastructure, the most relevant few.
            let cap = if c.kind.is_hash() || c.kind == IocKind::FilePath {
                usize::MAX
            } else {
                ctx.context_cap
            };
            family(f, c.kind, cap, &mut out);
        }
        context(c.kind, ctx, &mut out);
    }
    out.finish()
}

// --- network -----------------------------------------------------------------------------------------------------

/// The T1071 sub-technique for a port, with the protocol name.
fn port_protocol(port: u16) -> Option<(&'static str, &'static str)> {
    Some(match port {
        80 | 443 | 8080 | 8443 | 8000 | 8008 | 8888 => (WEB, "HTTP(S)"),
        53 | 853 => (DNS, "DNS"),
        25 | 465 | 587 | 110 | 995 | 143 | 993 => (MAIL, "mail (SMTP/POP3/IMAP)"),
        20 | 21 | 990 | 69 => (FILE_TRANSFER, "file transfer (FTP/TFTP)"),
        1883 | 8883 | 5222 | 5223 | 5672 | 61613 => (PUBSUB, "publish/subscribe (MQTT/XMPP/AMQP)"),
        _ => return None,
    })
}

fn port_rules(what: &str, ctx: &MapContext, out: &mut Out) {
    let Some(p) = ctx.port else {
        let reason = format!(
            "{what} is network infrastructure, typically contacted for command and control; protocol not observed"
        );
        out.rule(APP_LAYER, Conf::Low, reason);
        return;
    };
    if let Some((id, proto)) = port_protocol(p) {
        out.rule(
            id,
            Conf::Medium,
            format!("{what} seen on port {p}, the {proto} port: application-layer C2 over {proto}"),
        );
    } else {
        out.rule(
            NON_STANDARD_PORT,
            Conf::Low,
            format!("{what} seen on port {p}, not a standard application-protocol port"),
        );
        out.rule(
            APP_LAYER,
            Conf::Low,
            format!("{what} is network infrastructure; protocol on port {p} not known"),
        );
    }
}

fn ip(c: &Classified, ctx: &MapContext, out: &mut Out) {
    if let Some(f) = &c.facts.ip
        && f.scope.is_reserved()
    {
        // Private, loopback, documentation … addresses are not external infrastructure.
        return;
    }
    let what = format!("{} {}", c.kind, c.canonical);
    if ctx.tor {
        out.rule(
            MULTI_HOP,
            Conf::High,
            format!("{what} is a Tor relay (list data): traffic relayed through a multi-hop proxy"),
        );
    }
    if ctx.vpn {
        out.rule(PROXY, Conf::Low, format!("{what} is in a commercial VPN range (list data): traffic relayed through a third party"));
    }
    port_rules(&what, ctx, out);
}

fn host_in(host: &str, suffix: &str) -> bool {
    host == suffix || host.strip_suffix(suffix).is_some_and(|p| p.ends_with('.'))
}

fn dyndns_match(host: &str) -> Option<&'static str> {
    // Walk the parents of the host and binary-search each: O(labels · log n).
    let mut rest = host;
    loop {
        if let Ok(i) = gx::DYNAMIC_DNS.binary_search(&rest) {
            return Some(gx::DYNAMIC_DNS[i]);
        }
        rest = rest.split_once('.')?.1;
    }
}

fn web_service_match(host: &str) -> Option<(&'static str, &'static str)> {
    let mut rest = host;
    loop {
        if let Ok(i) = gx::WEB_SERVICES.binary_search_by(|(s, _)| (*s).cmp(rest)) {
            return Some(gx::WEB_SERVICES[i]);
        }
        rest = rest.split_once('.')?.1;
    }
}

/// Rules on a host name (domain indicator, URL host).
fn host_rules(host: &str, what: &str, ctx: &MapContext, out: &mut Out) {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host_in(&host, "onion") {
        out.rule(
            MULTI_HOP,
            Conf::High,
            format!("{what} is a Tor onion service (.onion): reached through a multi-hop proxy"),
        );
    }
    if let Some(provider) = dyndns_match(&host) {
        out.rule(
            DYNAMIC_RESOLUTION,
            Conf::Medium,
            format!("{what} is under the dynamic-DNS provider {provider} (MISP dynamic-dns list)"),
        );
    }
    if ctx.dga {
        out.rule(
            DGA,
            Conf::Medium,
            format!("{what} was flagged as algorithmically generated (DGA classifier)"),
        );
    }
    if let Some((service, list)) = web_service_match(&host) {
        out.rule(
            WEB_SERVICE,
            Conf::Low,
            format!("{what} is on {service}, a legitimate web service abused for C2 and staging ({list} list)"),
        );
    }
}

fn domain(c: &Classified, ctx: &MapContext, out: &mut Out) {
    if c.facts.domain.as_ref().is_some_and(|d| d.reserved) {
        return;
    }
    let what = format!("domain {}", c.canonical);
    if ctx.email_context {
        out.rule(
            SPEAR_LINK,
            Conf::Medium,
            format!("{what} was seen in an e-mail: link target of a phishing message"),
        );
    }
    host_rules(&c.canonical, &what, ctx, out);
    port_rules(&what, ctx, out);
}

/// Scheme, host, port and path of a URL: from the facts when classify gave them, else parsed from the canonical
/// form (`scheme://host[:port]/path`).
struct UrlParts {
    scheme: String,
    host: String,
    port: Option<u16>,
    path: String,
}

fn url_parts(c: &Classified) -> Option<UrlParts> {
    if let Some(f) = &c.facts.url {
        return Some(UrlParts {
            scheme: f.scheme.clone(),
            host: f.host.clone(),
            port: f.port,
            path: f.path.clone(),
        });
    }
    let (scheme, rest) = c.canonical.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (h, Some(p)),
            Err(_) => (authority, None),
        },
        _ => (authority, None),
    };
    let path_end = rest[end..].find(['?', '#']).map_or(rest.len(), |i| end + i);
    let path = if end < path_end { &rest[end..path_end] } else { "/" };
    Some(UrlParts {
        scheme: scheme.to_ascii_lowercase(),
        host: host.trim_matches(['[', ']']).to_ascii_lowercase(),
        port,
        path: path.to_owned(),
    })
}

fn path_extension(path: &str) -> Option<String> {
    let file = path.rsplit('/').next()?;
    let (_, ext) = file.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    TOOL_EXTENSIONS.contains(&ext.as_str()).then_some(ext)
}

fn url(c: &Classified, ctx: &MapContext, out: &mut Out) {
    let Some(u) = url_parts(c) else { return };
    let what = format!("URL {}", c.canonical);
    if ctx.email_context {
        out.rule(
            SPEAR_LINK,
            Conf::High,
            format!("{what} was seen in an e-mail: a spearphishing link"),
        );
    }
    if let Some(ext) = path_extension(&u.path) {
        out.rule(
            INGRESS,
            Conf::Medium,
            format!("{what} points to a .{ext} file: tool or payload transferred onto a host"),
        );
    }
    let scheme = u.scheme.as_str();
    match scheme {
        "http" | "https" | "ws" | "wss" => {
            out.rule(
                WEB,
                Conf::Medium,
                format!("{what} uses {scheme}: application-layer C2 over web protocols"),
            );
            if let Some(p) = u.port
                && port_protocol(p).is_none()
            {
                out.rule(
                    NON_STANDARD_PORT,
                    Conf::Low,
                    format!("{what} uses port {p}, not a standard web port"),
                );
            }
        }
        "ftp" | "ftps" | "tftp" => {
            out.rule(
                FILE_TRANSFER,
                Conf::Medium,
                format!("{what} uses {scheme}: C2 or transfer over file-transfer protocols"),
            );
        }
        "smtp" | "smtps" | "imap" | "imaps" | "pop3" | "pop3s" => {
            out.rule(MAIL, Conf::Medium, format!("{what} uses {scheme}: C2 over mail protocols"));
        }
        "dns" => out.rule(DNS, Conf::Medium, format!("{what} uses dns: C2 over DNS")),
        "mqtt" | "mqtts" | "xmpp" | "amqp" | "amqps" => {
            out.rule(
                PUBSUB,
                Conf::Medium,
                format!("{what} uses {scheme}: C2 over publish/subscribe protocols"),
            );
        }
        _ => {}
    }
    if u.host.parse::<std::net::IpAddr>().is_err() {
        host_rules(&u.host, &what, ctx, out);
    } else if ctx.tor {
        out.rule(MULTI_HOP, Conf::High, format!("{what} is hosted on a Tor relay (list data)"));
    }
}

// --- files, e-mail -----------------------------------------------------------------------------------------------

fn hash(c: &Classified, out: &mut Out) {
    out.rule(
        MALICIOUS_FILE,
        Conf::Low,
        format!(
            "{} {} identifies a file; a malicious file relies on a user to run it",
            c.kind, c.canonical
        ),
    );
}

fn email(c: &Classified, out: &mut Out) {
    let what = format!("e-mail address {}", c.canonical);
    out.rule(PHISHING, Conf::Medium, format!("{what} as an indicator is mostly a phishing sender"));
    out.rule(
        SPEAR_ATTACHMENT,
        Conf::Low,
        format!("{what}: phishing mail may carry a malicious attachment"),
    );
    out.rule(SPEAR_LINK, Conf::Low, format!("{what}: phishing mail may carry a malicious link"));
}

fn registry(key: &str, out: &mut Out) {
    let k = key.to_ascii_lowercase().replace('/', "\\");
    let what = format!("registry key {key}");
    if k.contains("\\currentversion\\run")
        || k.contains("\\currentversion\\policies\\explorer\\run")
    {
        out.rule(RUN_KEYS, Conf::High, format!("{what} is a Run/RunOnce autostart key"));
    } else if k.contains("\\currentversion\\winlogon") {
        out.rule(
            WINLOGON,
            Conf::High,
            format!("{what} is the Winlogon key (Shell/Userinit/Notify helpers)"),
        );
    } else if k.contains("\\image file execution options") {
        out.rule(
            IFEO,
            Conf::High,
            format!("{what} is under Image File Execution Options (debugger hijack)"),
        );
    } else if k.contains("\\currentcontrolset\\services\\")
        || k.contains("\\controlset001\\services\\")
    {
        out.rule(WINDOWS_SERVICE, Conf::Medium, format!("{what} is a service configuration key"));
    }
    out.rule(
        MODIFY_REGISTRY,
        Conf::Low,
        format!("{what}: adversaries modify the registry to hide configuration or persist"),
    );
}

fn file_path(path: &str, out: &mut Out) {
    let p = path.to_ascii_lowercase().replace('\\', "/");
    let what = format!("path {path}");
    if p.contains("/start menu/programs/startup/") {
        out.rule(RUN_KEYS, Conf::High, format!("{what} is in a Startup folder (runs at logon)"));
    }
    if p.starts_with("/etc/cron") || p.contains("/var/spool/cron") || p.ends_with("/crontab") {
        out.rule(CRON, Conf::High, format!("{what} is a cron location"));
    }
    if (p.contains("/systemd/system/") || p.contains("/systemd/user/")) && p.ends_with(".service") {
        out.rule(SYSTEMD, Conf::High, format!("{what} is a systemd unit"));
    }
    if p.contains("/library/launchagents/") {
        out.rule(LAUNCH_AGENT, Conf::High, format!("{what} is a macOS Launch Agent"));
    }
    if p.contains("/library/launchdaemons/") {
        out.rule(LAUNCH_DAEMON, Conf::High, format!("{what} is a macOS Launch Daemon"));
    }
    if p.ends_with("/.ssh/authorized_keys") || p.ends_with("/.ssh/authorized_keys2") {
        out.rule(SSH_KEYS, Conf::High, format!("{what} holds SSH authorized keys"));
    }
    let ext = p.rsplit('/').next().and_then(|f| f.rsplit_once('.')).map(|(_, e)| e);
    let script = match ext {
        Some("ps1" | "psm1" | "psd1") => Some((POWERSHELL, "a PowerShell script")),
        Some("vbs" | "vbe" | "vba") => Some((VISUAL_BASIC, "a VBScript file")),
        Some("bat" | "cmd") => Some((WINDOWS_SHELL, "a Windows batch file")),
        Some("sh" | "bash") => Some((UNIX_SHELL, "a shell script")),
        Some("py") => Some((PYTHON, "a Python script")),
        Some("js" | "jse") => Some((JAVASCRIPT, "a JavaScript/JScript file")),
        _ => None,
    };
    if let Some((id, kind)) = script {
        out.rule(id, Conf::Medium, format!("{what} is {kind}"));
    }
}

// --- CVE ---------------------------------------------------------------------------------------------------------

const CTID_TYPES: [(&str, Conf); 4] = [
    ("exploitation technique", Conf::High),
    ("primary impact", Conf::High),
    ("secondary impact", Conf::Medium),
    ("related technique, uncategorized", Conf::Low),
];

fn ctid_rules(row: &CtidRow, out: &mut Out) {
    for (id, ty) in row.techniques() {
        let (label, mut conf) =
            CTID_TYPES.get(usize::from(ty)).copied().unwrap_or(("related", Conf::Low));
        // The original attack_to_cve CSV (ATT&CK 9.0) is coarser than the KEV mappings: one level lower.
        if row.attack_version == "9.0" && conf == Conf::High {
            conf = Conf::Medium;
        }
        out.push(
            id,
            conf,
            Source::Ctid,
            if row.group.is_empty() {
                format!(
                    "CTID maps {} to {id} ({label}; {}, ATT&CK {})",
                    row.cve, row.source, row.attack_version
                )
            } else {
                format!(
                    "CTID maps {} ({}) to {id} ({label}; {}, ATT&CK {})",
                    row.cve,
                    row.group.replace('_', " "),
                    row.source,
                    row.attack_version
                )
            },
            false,
        );
    }
}

/// True when `word` occurs in `hay` between non-alphanumeric characters (`word` does not match `wordpress`).
fn has_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back().is_some_and(char::is_alphanumeric);
        let after = hay[i + word.len()..].chars().next().is_some_and(char::is_alphanumeric);
        !before && !after
    })
}

fn contains_any(hay: &str, words: &[&'static str]) -> Option<&'static str> {
    words.iter().find(|w| has_word(hay, w)).copied()
}

/// CWE → vulnerability class groups used by the fallback.
const SERVER_CWES: &[u16] = &[
    22, 23, 35, 77, 78, 88, 89, 94, 95, 287, 288, 290, 306, 352, 434, 502, 611, 798, 862, 863, 917,
    918, 1188,
];
const MEMORY_CWES: &[u16] = &[119, 120, 121, 122, 125, 190, 416, 787, 843, 824, 908, 476];
const PRIV_CWES: &[u16] = &[250, 264, 269, 272, 274, 732];
const CRED_CWES: &[u16] = &[255, 256, 257, 259, 312, 319, 522, 523];

/// The KEV fallback for a CVE without CTID mapping: techniques from the vulnerability name, CWEs, vendor and
/// product class. Returns `(technique, confidence, reason)`; every entry is reported as `inferred`.
pub(crate) fn kev_fallback(row: &KevRow) -> Vec<(&'static str, Conf, String)> {
    let name = row.name.to_ascii_lowercase();
    let vendor = row.vendor.to_ascii_lowercase();
    let product = format!("{} {}", row.vendor, row.product).to_ascii_lowercase();
    let hay = format!("{product} {name}");
    let cwe_in =
        |set: &[u16]| row.cwes().iter().find(|c| set.contains(c)).map(|c| format!("CWE-{c}"));
    let mut v = Vec::new();
    let what = format!("KEV: {} ({} {})", row.cve, row.vendor, row.product);

    // What the bug gives, from the name and CWEs.
    let privesc = name.contains("privilege escalation") || name.contains("elevation of privilege");
    if privesc {
        v.push((
            PRIV_ESC,
            Conf::Medium,
            format!("{what} is a privilege-escalation vulnerability (name)"),
        ));
    } else if let Some(cwe) = cwe_in(PRIV_CWES) {
        v.push((PRIV_ESC, Conf::Low, format!("{what} has {cwe} (privilege management)")));
    }
    if name.contains("security feature bypass") {
        v.push((
            DEFENSE_EVASION_EXPLOIT,
            Conf::Low,
            format!("{what} is a security-feature bypass (name)"),
        ));
    }
    if let Some(cwe) = cwe_in(CRED_CWES) {
        v.push((CRED_EXPLOIT, Conf::Low, format!("{what} has {cwe} (credential exposure)")));
    } else if name.contains("credential") || name.contains("password") {
        v.push((CRED_EXPLOIT, Conf::Low, format!("{what} exposes credentials (name)")));
    }
    if name.contains("denial-of-service") || name.contains("denial of service") {
        v.push((
            ENDPOINT_DOS_EXPLOIT,
            Conf::Medium,
            format!("{what} is a denial-of-service vulnerability (name)"),
        ));
    }
    if name.contains("cross-site scripting") || row.cwes().contains(&79) {
        v.push((
            MALICIOUS_LINK,
            Conf::Low,
            format!("{what} is cross-site scripting: a user opens a crafted link"),
        ));
    }
    if v.iter().any(|(id, ..)| *id == PRIV_ESC) {
        return v;
    }

    // How it is reached, from the product class.
    let remote_service = ["smb", "remote desktop", "rdp", "netlogon", "print spooler", "msrpc"];
    let class = if let Some(w) = remote_service.iter().find(|w| hay.contains(*w)) {
        Some((
            REMOTE_SERVICES_EXPLOIT,
            Conf::Low,
            format!("{what} affects a Windows remote service ({w})"),
        ))
    } else if let Some(w) =
        contains_any(&product, CLIENT_WORDS).or_else(|| contains_any(&name, &["webkit", "webrtc"]))
        && (cwe_in(MEMORY_CWES).is_some()
            || name.contains("code execution")
            || KERNEL_BUG_WORDS.iter().any(|b| name.contains(b)))
    {
        Some((
            CLIENT_EXEC,
            Conf::Medium,
            format!("{what} is a client application ({w}) with a code-execution bug"),
        ))
    } else if let Some(w) =
        contains_any(&hay, SERVER_WORDS).or_else(|| contains_any(&hay, SERVER_PRODUCTS))
    {
        Some((PUBLIC_FACING, Conf::Medium, format!("{what} is a network-facing product ({w})")))
    } else if let Some(w) = EDGE_VENDORS.iter().find(|w| vendor == **w) {
        Some((
            PUBLIC_FACING,
            Conf::Medium,
            format!("{what}: {w} ships network appliances and servers"),
        ))
    } else if let Some(cwe) = cwe_in(SERVER_CWES) {
        Some((
            PUBLIC_FACING,
            Conf::Low,
            format!("{what} has {cwe}, a server-side injection/auth class"),
        ))
    } else if let Some(w) = contains_any(&product, CLIENT_WORDS) {
        Some((CLIENT_EXEC, Conf::Low, format!("{what} is a client application ({w})")))
    } else if let Some(w) = contains_any(&product, KERNEL_WORDS)
        && (cwe_in(MEMORY_CWES).is_some() || KERNEL_BUG_WORDS.iter().any(|b| name.contains(b)))
    {
        Some((
            PRIV_ESC,
            Conf::Low,
            format!("{what} is a memory-safety/kernel bug in an OS component ({w})"),
        ))
    } else {
        None
    };
    // A denial-of-service bug says nothing about code execution: keep only the DoS mapping for it.
    if let Some(c) = class
        && !v.iter().any(|(id, ..)| *id == ENDPOINT_DOS_EXPLOIT)
    {
        v.push(c);
    }
    v
}

fn cve(id: &str, out: &mut Out) {
    let ctid = super::ctid_row(id);
    if let Some(row) = &ctid {
        ctid_rules(row, out);
    }
    if let Some(row) = super::kev_row(id) {
        if ctid.is_none() {
            for (tech, conf, reason) in kev_fallback(&row) {
                out.push(
                    tech,
                    conf,
                    Source::Kev,
                    format!("{reason}; no CTID mapping, inferred"),
                    true,
                );
            }
        }
        if row.ransomware {
            out.push(
                ENCRYPT_IMPACT,
                Conf::Low,
                Source::Kev,
                format!("KEV: {} is known to be used in ransomware campaigns", row.cve),
                true,
            );
        }
    }
}

// --- ATT&CK ids --------------------------------------------------------------------------------------------------

fn attack_id(c: &Classified, out: &mut Out) {
    let id = c.canonical.trim().to_ascii_uppercase();
    let kind = c.facts.attack.as_ref().map(|f| f.id_kind);
    if id.starts_with("TA") || kind == Some(AttackIdKind::Tactic) {
        return;
    }
    match id.as_bytes().first() {
        Some(b'T') => technique_id(&id, out),
        Some(b'S') => {
            if let Ok(obj) = super::lookup(&id)
                && let Some((name, techs)) = super::software_techniques(&obj.id)
            {
                let who = format!("{} ({name})", obj.id);
                techniques_of(
                    techs,
                    Conf::Medium,
                    Source::AttackSoftware,
                    "",
                    &who,
                    usize::MAX,
                    out,
                );
            }
        }
        Some(b'G') => {
            if let Ok(obj) = super::lookup(&id)
                && let Some((name, techs)) = super::group_techniques(&obj.id)
            {
                let who = format!("{} ({name})", obj.id);
                techniques_of(techs, Conf::Medium, Source::AttackGroup, "", &who, usize::MAX, out);
            }
        }
        Some(b'C') => {
            if let Some((name, techs)) = super::campaign_techniques(&id) {
                let who = format!("campaign {id} ({name})");
                techniques_of(techs, Conf::Medium, Source::AttackGroup, "", &who, usize::MAX, out);
            }
        }
        _ => {}
    }
}

fn technique_id(id: &str, out: &mut Out) {
    let Some(t) = technique_row(id) else {
        if let Some(r) = other_row(id) {
            out.rule(
                r.id,
                Conf::High,
                format!("the indicator is the ATT&CK {} technique {}", r.domain, r.id),
            );
        }
        return;
    };
    let (t, note) = match t.revoked_by.and_then(technique_row) {
        Some(next) if t.revoked => (next, format!(" ({id} is revoked; replaced by {})", next.id)),
        _ => (t, String::new()),
    };
    if t.deprecated || t.revoked {
        return;
    }
    out.rule(t.id, Conf::High, format!("the indicator is the ATT&CK technique {}{note}", t.id));
    if let Some((parent, _)) = t.id.split_once('.') {
        out.rule(parent, Conf::Medium, format!("{parent} is the parent technique of {}", t.id));
    } else {
        let prefix = format!("{}.", t.id);
        let subs =
            crate::generated::attack::TECHNIQUES.iter().filter(|c| c.id.starts_with(&prefix));
        for sub in subs {
            out.rule(sub.id, Conf::Low, format!("{} is a sub-technique of {}", sub.id, t.id));
        }
    }
}

/// Pushes the techniques of a software/group entry: "`{why}`; ATT&CK lists T#### for `{who}`".
fn techniques_of(
    techs: &[u16],
    conf: Conf,
    source: Source,
    why: &str,
    who: &str,
    cap: usize,
    out: &mut Out,
) {
    for t in techs.iter().filter_map(|&i| technique_by_index(i)).take(cap) {
        out.push(t.id, conf, source, format!("{why}ATT&CK lists {} for {who}", t.id), false);
    }
}

/// Tactic positions (in the enterprise matrix) relevant to each indicator kind, for ranking capped lists.
fn preferred_tactics(kind: IocKind) -> &'static [&'static str] {
    match kind {
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr | IocKind::Domain | IocKind::Url => {
            &["command-and-control", "exfiltration", "initial-access"]
        }
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 | IocKind::FilePath => {
            &["execution", "persistence", "defense-evasion", "privilege-escalation"]
        }
        IocKind::Email => &["initial-access", "resource-development"],
        IocKind::Cve => &["initial-access", "execution", "privilege-escalation"],
        IocKind::RegistryKey => &["persistence", "defense-evasion", "privilege-escalation"],
        _ => &[],
    }
}

/// The techniques ordered by relevance to the indicator kind: those in the kind's first preferred tactic, then
/// the second …, then the rest; id order inside each group (stable, so sub-techniques follow their parent).
fn ranked(techs: &[u16], kind: IocKind) -> Vec<u16> {
    let preferred = preferred_tactics(kind);
    let tactics = crate::generated::attack::TACTICS;
    let rank = |i: u16| -> usize {
        technique_by_index(i)
            .and_then(|t| {
                t.tactics
                    .iter()
                    .filter_map(|&p| tactics.get(usize::from(p)))
                    .filter_map(|tac| preferred.iter().position(|s| *s == tac.shortname))
                    .min()
            })
            .unwrap_or(preferred.len())
    };
    let mut v: Vec<u16> = techs.to_vec();
    v.sort_by_key(|&i| rank(i));
    v
}

fn family(name: &str, kind: IocKind, cap: usize, out: &mut Out) {
    let key: String =
        name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    // An ATT&CK id (revoked ones resolve to their replacement), else a name from the family index.
    let id = if super::name(name).is_some() {
        super::lookup(name).ok().map(|o| o.id)
    } else {
        super::find_row(gx::FAMILY_INDEX, &gx::FAMILY_INDEX_STARTS, &key)
            .and_then(|row| row.split_once('\t'))
            .map(|(_, id)| id.to_owned())
    };
    let Some(id) = id else { return };
    if let Some((sname, techs)) = super::software_techniques(&id) {
        let why = format!("known family {name}; ");
        let techs = ranked(techs, kind);
        techniques_of(
            &techs,
            Conf::Medium,
            Source::AttackSoftware,
            &why,
            &format!("{id} ({sname})"),
            cap,
            out,
        );
    } else if let Some((gname, techs)) = super::group_techniques(&id) {
        let why = format!("known actor {name}; ");
        let techs = ranked(techs, kind);
        techniques_of(
            &techs,
            Conf::Medium,
            Source::AttackGroup,
            &why,
            &format!("{id} ({gname})"),
            cap,
            out,
        );
    }
}

fn context(kind: IocKind, ctx: &MapContext, out: &mut Out) {
    for m in &ctx.context {
        let Some(id) = m.attack_id.as_deref() else { continue };
        let techs = super::software_techniques(id).or_else(|| super::group_techniques(id));
        let Some((name, techs)) = techs else { continue };
        let ranked = ranked(techs, kind);
        for t in ranked.iter().filter_map(|&i| technique_by_index(i)).take(ctx.context_cap) {
            let reason = format!(
                "the text mentions \"{}\"; ATT&CK lists {} for {id} ({name})",
                m.name, t.id
            );
            out.push(t.id, Conf::Low, Source::Context, reason, false);
        }
    }
}
