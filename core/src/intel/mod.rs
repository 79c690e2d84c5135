//! Warninglists and offline intel packs, compiled from `data/` by `cargo xtask codegen`.
//!
//! Two tiers, both generated binary blobs read in place (no parsing at start-up):
//! * tier 1, always embedded: reserved ranges and names, sinkholes, scanners, Maltrail family names and
//!   their ATT&CK ids, CISA KEV, Maltrail's suspicious TLDs, the empty file's and EICAR's digests (so every
//!   host, WASM included, calls them benign);
//! * tier 2, feature `offline-intel`: popular domains, provider and VPN ranges, public resolvers, abusable
//!   services, benign hashes, e-mail lists, `IPsum` counts and Maltrail indicators.
//!
//! Ranges are elementary, non-overlapping intervals tagged with the bit mask of the lists covering them, so
//! one binary search answers "which lists of this role hold this address". Names are a sorted string table
//! with two masks per name (lists matching it exactly, lists matching its subdomains); a domain is checked
//! by walking its parent names, so every MISP `hostname` rule ("equal or subdomain", `.x` = subdomains
//! only) costs one binary search per label.
//!
//! Every [`Hit`] names its role and list.
#[cfg(feature = "intel-update")]
pub mod formats;
pub mod pack;
#[cfg(feature = "pack-signature")]
pub mod signature;
use crate::{Classified, IocKind};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::generated::intel as g;

/// What a warninglist or intel hit means for a score (docs/scoring.md, "Scoring contract": evidence by role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Special-purpose ranges and special-use names: not a valid external indicator.
    Reserved,
    /// Sinkhole addresses and parking name servers.
    Sinkholes,
    /// Internet-wide research scanners.
    Scanners,
    /// Top-ranked and well-known domains.
    PopularDomains,
    /// Cloud, CDN, `SaaS` and mail provider ranges (shared infrastructure).
    ProviderIpRanges,
    /// Commercial VPN egress ranges.
    VpnRanges,
    /// Public DNS resolvers.
    DnsResolvers,
    /// URL shorteners, dynamic DNS, free hosting and other abusable services.
    AbusableServices,
    /// Benign hashes (empty file, EICAR, known false positives).
    Hashes,
    /// Disposable mail domains and role addresses.
    Email,
    /// IP blocklist aggregation (`IPsum`): how many public blocklists carry the address.
    Blocklist,
    /// Malware infrastructure (Maltrail trails).
    Malware,
    /// CISA Known Exploited Vulnerabilities.
    Exploited,
    /// TLD that Maltrail flags as suspicious.
    SuspiciousTld,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 14] = [
        Role::Reserved,
        Role::Sinkholes,
        Role::Scanners,
        Role::PopularDomains,
        Role::ProviderIpRanges,
        Role::VpnRanges,
        Role::DnsResolvers,
        Role::AbusableServices,
        Role::Hashes,
        Role::Email,
        Role::Blocklist,
        Role::Malware,
        Role::Exploited,
        Role::SuspiciousTld,
    ];

    /// True for a warninglist: evidence that a value is benign, shared or not an external indicator. The other
    /// roles are threat intel. Hosts that show the two apart (Splunk's `warninglist` and `intel_list` fields)
    /// read this from the core (`version`'s `warninglist_roles`), never from a table of their own.
    pub fn is_warninglist(self) -> bool {
        match self {
            Role::Reserved
            | Role::Sinkholes
            | Role::Scanners
            | Role::PopularDomains
            | Role::ProviderIpRanges
            | Role::VpnRanges
            | Role::DnsResolvers
            | Role::AbusableServices
            | Role::Hashes
            | Role::Email => true,
            Role::Blocklist | Role::Malware | Role::Exploited | Role::SuspiciousTld => false,
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reserved => "reserved",
            Role::Sinkholes => "sinkholes",
            Role::Scanners => "scanners",
            Role::PopularDomains => "popular_domains",
            Role::ProviderIpRanges => "provider_ip_ranges",
            Role::VpnRanges => "vpn_ranges",
            Role::DnsResolvers => "dns_resolvers",
            Role::AbusableServices => "abusable_services",
            Role::Hashes => "hashes",
            Role::Email => "email",
            Role::Blocklist => "blocklist",
            Role::Malware => "malware",
            Role::Exploited => "exploited",
            Role::SuspiciousTld => "suspicious_tld",
        }
    }
}

/// One piece of list evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// What the list means.
    pub role: Role,
    /// The list's name (`tranco10k`, `amazon-aws`, `ipsum`, `maltrail` …).
    pub list: String,
    /// The value or entry that matched (the parent name for a subdomain match).
    pub matched: String,
    /// A human note (`on 5 blocklists`, `family emotet (malware)` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `IPsum`: number of blocklists carrying the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Maltrail: the family (trail) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

impl Hit {
    /// A hit with no detail, count or family.
    pub fn new(role: Role, list: &str, matched: &str) -> Hit {
        Hit {
            role,
            list: list.to_owned(),
            matched: matched.to_owned(),
            detail: None,
            count: None,
            family: None,
        }
    }
}

/// What a list holds, in its maintainers' own terms (the MISP `description`, shortened), for factor wording.
/// Lists whose role name says enough get `None`.
pub fn describe(list: &str) -> Option<&'static str> {
    Some(match list {
        "vpn-ipv4" | "vpn-ipv6" => {
            "VPN providers and datacenters (the list does not say which): hosting, not proof of a VPN"
        }
        "icloud-private-relay" => {
            "iCloud Private Relay egress: Apple's privacy relay for Safari users"
        }
        "crl-ip" => "CRL and OCSP certificate-status servers",
        "smtp-sending-ips" => "known mail providers' sending servers",
        "smtp-receiving-ips" => "known mail providers' receiving servers",
        "google-gmail-sending-ips" => "Gmail sending servers",
        "googlebot" => "Googlebot crawler addresses",
        "openai-gptbot" => "OpenAI GPTBot crawler addresses",
        "umbrella-blockpage-v4" | "umbrella-blockpage-v6" => "Cisco Umbrella block pages",
        "parking-domain" => "domain-parking servers",
        "zscaler" => "Zscaler cloud security proxy hubs",
        "microsoft-attack-simulator" => "Microsoft 365 attack-simulation training",
        "telegram-ips" => "Telegram's own address ranges",
        "wikimedia" => "Wikimedia's own address ranges",
        "apple" => "Apple's own address ranges",
        "dynamic-dns" => "dynamic-DNS provider: anyone can register a name under it",
        "lots-project" => "LOTS project: legitimate sites abused for phishing, C2 and downloads",
        "url-shortener" => "URL shortener: the link hides its target",
        "link-in-bio" => "link-in-bio page host: anyone can publish under it",
        "public-ipfs-gateways" => "public IPFS gateway: serves anyone's content",
        _ => return None,
    })
}

/// Provider-range lists that hold one benign job (certificate status, block pages, search crawlers): an address
/// on one of them is benign infrastructure.
pub fn is_benign_infrastructure(list: &str) -> bool {
    matches!(
        list,
        "crl-ip"
            | "umbrella-blockpage-v4"
            | "umbrella-blockpage-v6"
            | "googlebot"
            | "openai-gptbot"
    )
}

/// Abusable-service lists of places where anyone can publish (user-content platforms, dynamic DNS, tunnels,
/// IPFS gateways, shorteners, link-in-bio pages): a popular listing vouches for no URL on them, and for no
/// child name that they list as someone else's (see `score::user_content`).
pub fn is_user_content(list: &str) -> bool {
    matches!(
        list,
        "dynamic-dns" | "lots-project" | "url-shortener" | "link-in-bio" | "public-ipfs-gateways"
    )
}

/// Catalogue entry of one embedded warninglist.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListMeta {
    pub(crate) role: Role,
    pub(crate) name: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) version: &'static str,
    pub(crate) entries: u32,
}

/// A Maltrail trail.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// Trail name (`emotet`, `apt_lazarus` …).
    pub name: &'static str,
    /// `malware`, `malicious` or `suspicious`.
    pub category: &'static str,
    /// ATT&CK software ids matched by name.
    pub software: &'static [&'static str],
    /// ATT&CK group ids matched by name.
    pub groups: &'static [&'static str],
    /// The ATT&CK ids came from an alias match only (weaker).
    pub by_alias: bool,
}

/// Where a section sits in a blob.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Section {
    pub(crate) tier: u8,
    pub(crate) off: usize,
    pub(crate) len: usize,
}

static TIER1: &[u8] = include_bytes!("../generated/intel_tier1.bin");
#[cfg(feature = "offline-intel")]
static TIER2: &[u8] = include_bytes!("../generated/intel_tier2.bin");
#[cfg(not(feature = "offline-intel"))]
static TIER2: &[u8] = &[];

impl Section {
    fn bytes(self) -> &'static [u8] {
        let blob = if self.tier == 1 { TIER1 } else { TIER2 };
        blob.get(self.off..self.off + self.len).unwrap_or(&[])
    }
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    b.get(i..i + 2).and_then(|s| s.try_into().ok()).map_or(0, u16::from_le_bytes)
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes)
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}
fn u128_at(b: &[u8], i: usize) -> u128 {
    b.get(i..i + 16).and_then(|s| s.try_into().ok()).map_or(0, u128::from_le_bytes)
}

/// Index of the last record whose key is `<= x`, over `n` records; `key(i)` reads record `i`.
fn last_le<T: Ord>(n: usize, x: &T, key: impl Fn(usize) -> T) -> Option<usize> {
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if key(mid) <= *x {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo.checked_sub(1)
}

/// Lists (bit mask) of a range section covering an IPv4 address.
fn v4_mask(s: Section, ip: u32) -> u64 {
    let b = s.bytes();
    let n = u32_at(b, 0) as usize;
    last_le(n, &ip, |i| u32_at(b, 8 + i * 12)).map_or(0, |i| u64_at(b, 8 + i * 12 + 4))
}

/// Lists (bit mask) of a range section covering an IPv6 address.
fn v6_mask(s: Section, ip: u128) -> u64 {
    let b = s.bytes();
    let n = u32_at(b, 0) as usize;
    last_le(n, &ip, |i| u128_at(b, 8 + i * 24)).map_or(0, |i| u64_at(b, 8 + i * 24 + 16))
}

/// A sorted string table with two `u64` values per name.
struct Names {
    b: &'static [u8],
    n: usize,
    vals: usize,
    strs: usize,
}

impl Names {
    fn new(s: Section) -> Names {
        let b = s.bytes();
        let n = u32_at(b, 0) as usize;
        let vals = (4 + 4 * (n + 1)).div_ceil(8) * 8;
        Names { b, n, vals, strs: vals + 8 * n }
    }
    fn key(&self, i: usize) -> &'static [u8] {
        let (s, e) = (u32_at(self.b, 4 + 4 * i) as usize, u32_at(self.b, 8 + 4 * i) as usize);
        self.b.get(self.strs + s..self.strs + e).unwrap_or(&[])
    }
    fn get(&self, name: &str) -> Option<(u64, u64)> {
        let i = last_le(self.n, &name.as_bytes(), |i| self.key(i))?;
        if self.key(i) != name.as_bytes() {
            return None;
        }
        Some((
            u64::from(u32_at(self.b, self.vals + 8 * i)),
            u64::from(u32_at(self.b, self.vals + 8 * i + 4)),
        ))
    }
}

/// The parent names of a domain, itself first: `a.b.c` → `a.b.c`, `b.c`, `c`.
fn self_and_parents(name: &str) -> impl Iterator<Item = &str> {
    std::iter::once(name).chain(name.match_indices('.').map(move |(i, _)| &name[i + 1..]))
}

fn role_index(role: Role) -> usize {
    match role {
        Role::Reserved => 0,
        Role::Sinkholes => 1,
        Role::Scanners => 2,
        Role::PopularDomains => 3,
        Role::ProviderIpRanges => 4,
        Role::VpnRanges => 5,
        Role::DnsResolvers => 6,
        Role::AbusableServices => 7,
        Role::Hashes => 8,
        Role::Email => 9,
        _ => usize::MAX,
    }
}

/// The warninglist roles with their range and name sections.
const WARNING_ROLES: [(Role, Section, Section, Section); 10] = [
    (Role::Reserved, g::RESERVED_V4, g::RESERVED_V6, g::RESERVED_NAMES),
    (Role::Sinkholes, g::SINKHOLES_V4, g::SINKHOLES_V6, g::SINKHOLES_NAMES),
    (Role::Scanners, g::SCANNERS_V4, g::SCANNERS_V6, g::SCANNERS_NAMES),
    (Role::PopularDomains, g::POPULAR_DOMAINS_V4, g::POPULAR_DOMAINS_V6, g::POPULAR_DOMAINS_NAMES),
    (
        Role::ProviderIpRanges,
        g::PROVIDER_IP_RANGES_V4,
        g::PROVIDER_IP_RANGES_V6,
        g::PROVIDER_IP_RANGES_NAMES,
    ),
    (Role::VpnRanges, g::VPN_RANGES_V4, g::VPN_RANGES_V6, g::VPN_RANGES_NAMES),
    (Role::DnsResolvers, g::DNS_RESOLVERS_V4, g::DNS_RESOLVERS_V6, g::DNS_RESOLVERS_NAMES),
    (
        Role::AbusableServices,
        g::ABUSABLE_SERVICES_V4,
        g::ABUSABLE_SERVICES_V6,
        g::ABUSABLE_SERVICES_NAMES,
    ),
    (Role::Hashes, g::HASHES_V4, g::HASHES_V6, g::HASHES_NAMES),
    (Role::Email, g::EMAIL_V4, g::EMAIL_V6, g::EMAIL_NAMES),
];

fn push_mask(out: &mut Vec<Hit>, role: Role, mask: u64, matched: &str) {
    if mask == 0 {
        return;
    }
    let first = g::ROLE_FIRST.get(role_index(role)).copied().unwrap_or(usize::MAX);
    for bit in 0..64 {
        if mask & (1 << bit) != 0
            && let Some(meta) = g::LISTS.get(first.saturating_add(bit))
        {
            out.push(Hit::new(role, meta.name, matched));
        }
    }
}

/// Membership without allocation: the bit mask of a role's lists that hold an IPv4 address (bit `i` = the
/// role's `i`-th list in [`lists`] order). This is the ≤ 1 µs check; [`ipv4_hits`] names the lists.
pub fn ipv4_mask(role: Role, ip: Ipv4Addr) -> u64 {
    WARNING_ROLES
        .iter()
        .find(|r| r.0 == role)
        .map_or(0, |&(_, v4, _, _)| v4_mask(v4, u32::from(ip)))
}

/// Membership without allocation for a host name: lists holding the name exactly, or a parent name as
/// matching its subdomains (MISP `hostname` semantics).
pub fn name_mask(role: Role, name: &str) -> u64 {
    let Some(&(_, _, _, names)) = WARNING_ROLES.iter().find(|r| r.0 == role) else { return 0 };
    let table = Names::new(names);
    let mut mask = 0;
    for (i, candidate) in self_and_parents(name).enumerate() {
        if let Some((exact, sub)) = table.get(candidate) {
            mask |= if i == 0 { exact } else { sub };
        }
    }
    mask
}

/// True when `list` (of `role`) holds `name` as a subdomains-only entry (`.x`, MISP's "subdomains of x"): the
/// list is about the children of `x` — a platform's customers — not `x` itself.
pub fn subdomains_only(role: Role, list: &str, name: &str) -> bool {
    let Some(&(_, _, _, names)) = WARNING_ROLES.iter().find(|r| r.0 == role) else { return false };
    let first = g::ROLE_FIRST.get(role_index(role)).copied().unwrap_or(usize::MAX);
    let Some(bit) = g::LISTS
        .get(first..)
        .and_then(|l| l.iter().take_while(|m| m.role == role).position(|m| m.name == list))
    else {
        return false;
    };
    Names::new(names)
        .get(name)
        .is_some_and(|(exact, sub)| exact & (1 << bit) == 0 && sub & (1 << bit) != 0)
}

/// `IPsum` count of an IPv4 address (0 when absent), without allocation.
pub fn ipsum_count(ip: Ipv4Addr) -> u32 {
    let x = u32::from(ip);
    let t = g::IPSUM.bytes();
    let n = u32_at(t, 0) as usize;
    match last_le(n, &x, |i| u32_at(t, 8 + 4 * i)) {
        Some(i) if u32_at(t, 8 + 4 * i) == x => u32::from(u16_at(t, 8 + 4 * n + 2 * i)),
        _ => 0,
    }
}

/// Warninglist hits of one role for an IPv4 address.
pub fn ipv4_hits(role: Role, ip: Ipv4Addr) -> Vec<Hit> {
    let mut out = Vec::new();
    if let Some(&(_, v4, _, _)) = WARNING_ROLES.iter().find(|r| r.0 == role) {
        push_mask(&mut out, role, v4_mask(v4, u32::from(ip)), &ip.to_string());
    }
    out
}

/// Warninglist hits of one role for a host name (the name or a parent name listed as matching subdomains).
pub fn name_hits(role: Role, name: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    if let Some(&(_, _, _, names)) = WARNING_ROLES.iter().find(|r| r.0 == role) {
        names_into(&mut out, role, names, name);
    }
    out
}

fn names_into(out: &mut Vec<Hit>, role: Role, names: Section, name: &str) {
    let table = Names::new(names);
    if table.n == 0 {
        return;
    }
    for (i, candidate) in self_and_parents(name).enumerate() {
        if let Some((exact, sub)) = table.get(candidate) {
            push_mask(out, role, if i == 0 { exact } else { sub }, candidate);
        }
    }
}

/// Every warninglist hit (all roles) for an IPv4 address.
fn ipv4_all(out: &mut Vec<Hit>, ip: Ipv4Addr, roles: &[Role]) {
    let x = u32::from(ip);
    let text = ip.to_string();
    for &(role, v4, _, _) in &WARNING_ROLES {
        if roles.contains(&role) {
            push_mask(out, role, v4_mask(v4, x), &text);
        }
    }
    ipsum_into(out, x, &text);
    let t = g::MALTRAIL_IPS.bytes();
    let n = u32_at(t, 0) as usize;
    if let Some(i) = last_le(n, &x, |i| u32_at(t, 8 + 4 * i))
        && u32_at(t, 8 + 4 * i) == x
    {
        let fam = u16_at(t, 8 + 4 * n + 2 * i);
        out.push(malware_hit(&text, fam));
    }
}

fn ipsum_into(out: &mut Vec<Hit>, x: u32, text: &str) {
    let t = g::IPSUM.bytes();
    let n = u32_at(t, 0) as usize;
    if let Some(i) = last_le(n, &x, |i| u32_at(t, 8 + 4 * i))
        && u32_at(t, 8 + 4 * i) == x
    {
        let count = u16_at(t, 8 + 4 * n + 2 * i);
        let mut h = Hit::new(Role::Blocklist, "ipsum", text);
        h.count = Some(u32::from(count));
        h.detail =
            Some(format!("on {count} public blocklist{}", if count == 1 { "" } else { "s" }));
        out.push(h);
    }
}

fn malware_hit(matched: &str, family_index: u16) -> Hit {
    let mut h = Hit::new(Role::Malware, "maltrail", matched);
    if let Some(f) = family_at(usize::from(family_index)) {
        h.family = Some(f.name.to_owned());
        h.detail = Some(format!("trail {} ({})", f.name, f.category));
    }
    h
}

fn ipv6_all(out: &mut Vec<Hit>, ip: Ipv6Addr, roles: &[Role]) {
    let x = u128::from(ip);
    let text = ip.to_string();
    for &(role, _, v6, _) in &WARNING_ROLES {
        if roles.contains(&role) {
            push_mask(out, role, v6_mask(v6, x), &text);
        }
    }
}

/// Roles that apply to an IP indicator.
const IP_ROLES: [Role; 7] = [
    Role::Reserved,
    Role::Sinkholes,
    Role::Scanners,
    Role::ProviderIpRanges,
    Role::VpnRanges,
    Role::DnsResolvers,
    Role::PopularDomains,
];
/// Roles that apply to a host name.
const NAME_ROLES: [Role; 6] = [
    Role::Reserved,
    Role::Sinkholes,
    Role::PopularDomains,
    Role::DnsResolvers,
    Role::AbusableServices,
    Role::ProviderIpRanges,
];

fn domain_all(out: &mut Vec<Hit>, name: &str) {
    for &(role, _, _, names) in &WARNING_ROLES {
        if NAME_ROLES.contains(&role) {
            names_into(out, role, names, name);
        }
    }
    let table = Names::new(g::MALTRAIL_DOMAINS);
    for candidate in self_and_parents(name) {
        if let Some((fam, _)) = table.get(candidate) {
            out.push(malware_hit(
                candidate,
                u16::try_from(fam.saturating_sub(1)).unwrap_or(u16::MAX),
            ));
            break;
        }
    }
    if let Some(tld) = name.rsplit('.').next()
        && g::SUSPICIOUS_TLDS.binary_search(&tld).is_ok()
    {
        out.push(Hit::new(Role::SuspiciousTld, "maltrail-suspicious-tlds", tld));
    }
}

fn url_all(out: &mut Vec<Hit>, c: &Classified) {
    let Some(u) = c.facts.url.as_ref() else { return };
    match u.host_type {
        IocKind::Ipv4 => {
            if let Ok(ip) = u.host.parse::<Ipv4Addr>() {
                ipv4_all(out, ip, &IP_ROLES);
            }
        }
        IocKind::Ipv6 => {
            if let Ok(ip) = u.host.parse::<Ipv6Addr>() {
                ipv6_all(out, ip, &IP_ROLES);
            }
        }
        _ => domain_all(out, &u.host),
    }
    // Maltrail URL trails are scheme-less `host[/path]`; match the URL or any parent path of it.
    let host = match u.port {
        Some(p) => format!("{}:{p}", u.host),
        None => u.host.clone(),
    };
    let path = u.path.trim_end_matches('/');
    let urls = Names::new(g::MALTRAIL_URLS);
    let mut key = format!("{host}{path}");
    let mut found = false;
    loop {
        if let Some((fam, _)) = urls.get(&key) {
            out.push(malware_hit(&key, u16::try_from(fam.saturating_sub(1)).unwrap_or(u16::MAX)));
            found = true;
            break;
        }
        match key.rfind('/') {
            Some(i) if i >= host.len() => key.truncate(i),
            _ => break,
        }
    }
    if !found {
        let paths = Names::new(g::MALTRAIL_PATHS);
        let full = u.path.as_str();
        let mut candidates: Vec<&str> = vec![full, path];
        candidates.extend(full.match_indices('/').skip(1).map(|(i, _)| &full[..=i]));
        for cand in candidates {
            if cand.len() > 1
                && let Some((fam, _)) = paths.get(cand)
            {
                out.push(malware_hit(
                    cand,
                    u16::try_from(fam.saturating_sub(1)).unwrap_or(u16::MAX),
                ));
                break;
            }
        }
    }
}

/// An `ip:port` value (`a.b.c.d:port`, `[v6]:port` with the address as `Ipv6Addr` writes it): a Maltrail trail
/// listing exactly that `ip:port` replaces the address-only hit (same family table), so the hit says which entry
/// matched.
fn ip_port_into(out: &mut Vec<Hit>, key: &str) {
    if let Some((fam, _)) = Names::new(g::MALTRAIL_URLS).get(key) {
        out.retain(|h| h.role != Role::Malware);
        let mut h = malware_hit(key, u16::try_from(fam.saturating_sub(1)).unwrap_or(u16::MAX));
        h.detail = h.detail.map(|d| format!("{d}; lists exactly {key}"));
        out.push(h);
    }
}

/// Generic role addresses (MISP `common-contact-emails`: `^(security|noc|soc|abuse)@`).
const CONTACT_LOCALS: [&str; 4] = ["abuse", "noc", "security", "soc"];

fn email_all(out: &mut Vec<Hit>, c: &Classified) {
    let (local, domain) = match c.facts.email.as_ref() {
        Some(e) => (e.local.to_ascii_lowercase(), e.domain.clone()),
        None => match c.canonical.rsplit_once('@') {
            Some((l, d)) => (l.to_owned(), d.to_owned()),
            None => return,
        },
    };
    names_into(out, Role::Email, g::EMAIL_NAMES, &domain);
    if CONTACT_LOCALS.contains(&local.as_str()) {
        out.push(Hit::new(Role::Email, "common-contact-emails", &c.canonical));
    }
    names_into(out, Role::Reserved, g::RESERVED_NAMES, &domain);
    let table = Names::new(g::MALTRAIL_DOMAINS);
    for candidate in self_and_parents(&domain) {
        if let Some((fam, _)) = table.get(candidate) {
            out.push(malware_hit(
                candidate,
                u16::try_from(fam.saturating_sub(1)).unwrap_or(u16::MAX),
            ));
            break;
        }
    }
}

/// CISA KEV entry for a CVE id: `(known ransomware use, date added)`.
pub fn kev(cve: &str) -> Option<(bool, &'static str)> {
    let (_, facts) = crate::normalize::ids::parse_cve(cve).ok()?;
    let key = (u64::from(facts.year) << 32) | u64::from(facts.number);
    let i = g::KEV.binary_search_by_key(&key, |e| e.0).ok()?;
    g::KEV.get(i).map(|e| (e.1, e.2))
}

/// True when the Maltrail trail is a family known to use a domain generation algorithm.
pub fn is_dga_family(name: &str) -> bool {
    g::DGA_FAMILIES.binary_search(&name).is_ok()
}

/// Maltrail family `i`, decoded from the generated columns (`write_families` in `xtask/src/codegen/intel.rs`).
fn family_at(i: usize) -> Option<Family> {
    let flags = *g::FAMILY_FLAGS.get(i)?;
    Some(Family {
        name: crate::rows::row(g::FAMILY_NAMES, &g::FAMILY_STARTS, i)?,
        category: g::FAMILY_CATEGORIES.get(usize::from(flags & 3))?,
        software: g::FAMILY_ID_LISTS.get(usize::from(*g::FAMILY_SOFTWARE.get(i)?))?,
        groups: g::FAMILY_ID_LISTS.get(usize::from(*g::FAMILY_GROUPS.get(i)?))?,
        by_alias: flags & 4 != 0,
    })
}

/// Maltrail family by trail name.
pub fn family(name: &str) -> Option<Family> {
    family_at(crate::rows::find(g::FAMILY_NAMES, &g::FAMILY_STARTS, name, |n| n)?)
}

/// Every list hit for a classified value. Cost: one binary search per role (per label for names).
pub fn evidence(c: &Classified) -> Vec<Hit> {
    let mut out = Vec::new();
    match c.kind {
        IocKind::Ipv4 => {
            if let Ok(ip) = c.canonical.parse::<Ipv4Addr>() {
                ipv4_all(&mut out, ip, &IP_ROLES);
                if let Some(port) = c.facts.ip.as_ref().and_then(|f| f.port) {
                    ip_port_into(&mut out, &format!("{ip}:{port}"));
                }
            }
        }
        IocKind::Ipv6 => {
            if let Ok(ip) = c.canonical.parse::<Ipv6Addr>() {
                ipv6_all(&mut out, ip, &IP_ROLES);
                if let Some(port) = c.facts.ip.as_ref().and_then(|f| f.port) {
                    ip_port_into(&mut out, &format!("[{ip}]:{port}"));
                }
            }
        }
        IocKind::Cidr => {
            // A network is checked by its first address (a prefix inside a listed range matches it).
            let net = c.canonical.split('/').next().unwrap_or_default();
            if let Ok(ip) = net.parse::<Ipv4Addr>() {
                ipv4_all(&mut out, ip, &IP_ROLES);
            } else if let Ok(ip) = net.parse::<Ipv6Addr>() {
                ipv6_all(&mut out, ip, &IP_ROLES);
            }
        }
        IocKind::Domain => domain_all(&mut out, &c.canonical),
        IocKind::Url => url_all(&mut out, c),
        IocKind::Email => email_all(&mut out, c),
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => {
            let digest = c.canonical.to_ascii_lowercase();
            // The empty file and EICAR (tier 1, every host), then the rest of the role (tier 2).
            names_into(&mut out, Role::Hashes, g::HASHES_CORE_NAMES, &digest);
            names_into(&mut out, Role::Hashes, g::HASHES_NAMES, &digest);
            out.retain(|h| h.matched.len() == c.canonical.len());
        }
        IocKind::Cve => {
            if let Some((ransomware, added)) = kev(&c.canonical) {
                let mut h = Hit::new(Role::Exploited, "cisa-kev", &c.canonical);
                h.detail = Some(if ransomware {
                    format!("known exploited (added {added}); used in ransomware campaigns")
                } else {
                    format!("known exploited (added {added})")
                });
                out.push(h);
            }
        }
        _ => {}
    }
    out
}

/// A list embedded in this build, with its version (for `data_versions` on every result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataVersion {
    /// Source (`misp-warninglists`, `ipsum`, `maltrail`, `cisa-kev`).
    pub source: String,
    /// Version or snapshot.
    pub version: String,
}

/// Snapshot versions of the embedded evidence and the date of the newest one.
pub fn data_version() -> (&'static str, &'static str) {
    (g::DATA_VERSION, g::DATA_DATE)
}

/// Versions of each embedded source.
pub fn data_versions() -> Vec<DataVersion> {
    let mut v = vec![
        DataVersion { source: "snapshot".into(), version: g::DATA_VERSION.into() },
        DataVersion { source: "cisa-kev".into(), version: g::KEV_VERSION.into() },
    ];
    if cfg!(feature = "offline-intel") {
        v.push(DataVersion { source: "ipsum".into(), version: g::IPSUM_VERSION.into() });
    }
    v
}

/// Name, role, MISP matching type, version and entry count of every embedded warninglist.
pub fn lists() -> impl Iterator<Item = (Role, &'static str, &'static str, &'static str, u32)> {
    g::LISTS.iter().map(|m| (m.role, m.name, m.kind, m.version, m.entries))
}

#[cfg(test)]
mod tests;
