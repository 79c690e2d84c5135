//! The KQL catalogue: which native Sentinel and Defender tables each indicator type is hunted in, the columns
//! compared with the list and the projection of each `union` leg (docs/queries.md, "Catalogue"). Rendering
//! them into queries is `super` (`kql/mod.rs`).
use crate::IocKind;

/// How a column is compared with the `iocs` list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// `in` for IPv4, `in~` otherwise (IPv6 hex case varies); CIDR: `ipv4/ipv6_is_in_any_range`.
    Eq,
    /// `in~`: case-insensitive exact.
    Ci,
    /// `has_any`: whole terms (free text, lists, URLs, a port after an IP).
    Has,
}

/// One `union` leg over a native table.
#[derive(Clone, Copy)]
pub(super) struct Leg {
    pub(super) table: &'static str,
    /// Columns OR-ed together.
    pub(super) preds: &'static [(&'static str, Op)],
    /// Steps between the filter and the projection (`| summarize arg_max(...) by ...`).
    pub(super) post: &'static str,
    /// The projection after `TimeGenerated, SourceTable="…"`.
    pub(super) project: &'static str,
    /// False for inventories (no time filter).
    pub(super) timed: bool,
    /// The destination address and port columns, for `ip:port` indicators.
    pub(super) port: Option<(&'static str, &'static str)>,
}

const fn leg(
    table: &'static str,
    preds: &'static [(&'static str, Op)],
    project: &'static str,
) -> Leg {
    Leg { table, preds, post: "", project, timed: true, port: None }
}

impl Leg {
    /// The same leg with a destination port: `ip:port` indicators match the address AND the port here.
    const fn with_port(mut self, ip: &'static str, port: &'static str) -> Leg {
        self.port = Some((ip, port));
        self
    }
}

const SIGNIN: &str = "SrcIp=IPAddress, DstIp=\"\", Host=AppDisplayName, Account=UserPrincipalName, Detail=strcat(\"ResultType=\", ResultType)";

const IP_LEGS: &[Leg] = &[
    leg(
        "CommonSecurityLog",
        &[("SourceIP", Op::Eq), ("DestinationIP", Op::Eq)],
        "SrcIp=SourceIP, DstIp=DestinationIP, Host=DeviceName, Account=SourceUserName, Detail=strcat(DeviceVendor, \" \", DeviceProduct, \" \", DeviceAction)",
    )
    .with_port("DestinationIP", "DestinationPort"),
    leg(
        "DeviceNetworkEvents",
        &[("RemoteIP", Op::Eq), ("LocalIP", Op::Eq)],
        "SrcIp=LocalIP, DstIp=RemoteIP, Host=DeviceName, Account=InitiatingProcessAccountUpn, Detail=strcat(ActionType, \" \", InitiatingProcessFileName, \" \", RemoteUrl)",
    )
    .with_port("RemoteIP", "RemotePort"),
    leg("SigninLogs", &[("IPAddress", Op::Eq)], SIGNIN),
    leg("AADNonInteractiveUserSignInLogs", &[("IPAddress", Op::Eq)], SIGNIN),
    leg(
        "AzureActivity",
        &[("CallerIpAddress", Op::Eq)],
        "SrcIp=CallerIpAddress, DstIp=\"\", Host=ResourceProviderValue, Account=Caller, Detail=OperationNameValue",
    ),
    leg(
        "OfficeActivity",
        &[("ClientIP", Op::Has)],
        "SrcIp=ClientIP, DstIp=\"\", Host=OfficeWorkload, Account=UserId, Detail=Operation",
    ),
    leg(
        "AWSCloudTrail",
        &[("SourceIpAddress", Op::Eq)],
        "SrcIp=SourceIpAddress, DstIp=\"\", Host=EventSource, Account=UserIdentityArn, Detail=EventName",
    ),
    leg(
        "W3CIISLog",
        &[("cIP", Op::Eq)],
        "SrcIp=cIP, DstIp=sIP, Host=Computer, Account=csUserName, Detail=strcat(csMethod, \" \", csUriStem)",
    ),
    leg(
        "VMConnection",
        &[("SourceIp", Op::Eq), ("DestinationIp", Op::Eq)],
        "SrcIp=SourceIp, DstIp=DestinationIp, Host=Computer, Account=\"\", Detail=ProcessName",
    )
    .with_port("DestinationIp", "DestinationPort"),
    leg(
        "AZFWNetworkRule",
        &[("SourceIp", Op::Eq), ("DestinationIp", Op::Eq)],
        "SrcIp=SourceIp, DstIp=DestinationIp, Host=_ResourceId, Account=\"\", Detail=Action",
    )
    .with_port("DestinationIp", "DestinationPort"),
    leg(
        "DnsEvents",
        &[("IPAddresses", Op::Has)],
        "SrcIp=ClientIP, DstIp=IPAddresses, Host=Computer, Account=\"\", Detail=Name",
    ),
    leg(
        "SecurityEvent",
        &[("IpAddress", Op::Eq)],
        "SrcIp=IpAddress, DstIp=\"\", Host=Computer, Account=Account, Detail=Activity",
    ),
    leg(
        "Syslog",
        &[("SyslogMessage", Op::Has)],
        "SrcIp=HostIP, DstIp=\"\", Host=Computer, Account=\"\", Detail=SyslogMessage",
    ),
    leg(
        "EmailEvents",
        &[("SenderIPv4", Op::Eq), ("SenderIPv6", Op::Eq)],
        "SrcIp=coalesce(SenderIPv4, SenderIPv6), DstIp=\"\", Host=\"\", Account=RecipientEmailAddress, Detail=strcat(SenderFromAddress, \" \", Subject)",
    ),
    leg(
        "IdentityLogonEvents",
        &[("IPAddress", Op::Eq), ("DestinationIPAddress", Op::Eq)],
        "SrcIp=IPAddress, DstIp=DestinationIPAddress, Host=DeviceName, Account=AccountUpn, Detail=ActionType",
    )
    .with_port("DestinationIPAddress", "DestinationPort"),
    leg(
        "CloudAppEvents",
        &[("IPAddress", Op::Eq)],
        "SrcIp=IPAddress, DstIp=\"\", Host=Application, Account=AccountDisplayName, Detail=ActionType",
    ),
    leg(
        "AlertEvidence",
        &[("RemoteIP", Op::Eq), ("LocalIP", Op::Eq)],
        "SrcIp=LocalIP, DstIp=RemoteIP, Host=DeviceName, Account=AccountUpn, Detail=Title",
    ),
    leg(
        "DeviceLogonEvents",
        &[("RemoteIP", Op::Eq)],
        "SrcIp=RemoteIP, DstIp=\"\", Host=DeviceName, Account=AccountName, Detail=strcat(ActionType, \" \", LogonType)",
    ),
    leg(
        "AWSVPCFlow",
        &[("SrcAddr", Op::Eq), ("DstAddr", Op::Eq)],
        "SrcIp=SrcAddr, DstIp=DstAddr, Host=InstanceId, Account=AccountId, Detail=strcat(Action, \" \", DstPort)",
    )
    .with_port("DstAddr", "DstPort"),
    leg(
        "WindowsFirewall",
        &[("SourceIP", Op::Eq), ("DestinationIP", Op::Eq)],
        "SrcIp=SourceIP, DstIp=DestinationIP, Host=Computer, Account=\"\", Detail=strcat(FirewallAction, \" \", DestinationPort)",
    )
    .with_port("DestinationIP", "DestinationPort"),
    leg(
        "AppServiceHTTPLogs",
        &[("CIp", Op::Eq)],
        "SrcIp=CIp, DstIp=\"\", Host=CsHost, Account=CsUsername, Detail=strcat(CsMethod, \" \", CsUriStem)",
    ),
    // Resources in Azure Diagnostics mode (the content hub's TI-map rules for Azure Firewall, Key Vault and SQL):
    // the caller of Key Vault and other services, SQL audit clients, Application Gateway / Front Door clients,
    // and the legacy Azure Firewall rows whose addresses are only in `msg_s` ("TCP request from a:p to b:p").
    // These columns exist only once a resource has sent them, hence `column_ifexists`.
    leg(
        "AzureDiagnostics",
        &[
            ("column_ifexists(\"CallerIPAddress\", \"\")", Op::Eq),
            ("column_ifexists(\"client_ip_s\", \"\")", Op::Eq),
            ("column_ifexists(\"clientIP_s\", \"\")", Op::Eq),
            ("column_ifexists(\"msg_s\", \"\")", Op::Has),
        ],
        "SrcIp=coalesce(column_ifexists(\"CallerIPAddress\", \"\"), column_ifexists(\"client_ip_s\", \"\"), column_ifexists(\"clientIP_s\", \"\")), DstIp=\"\", Host=Resource, Account=\"\", Detail=strcat(ResourceType, \" \", OperationName, \" \", column_ifexists(\"msg_s\", \"\"))",
    ),
];

const DOMAIN_LEGS: &[Leg] = &[
    leg(
        "DnsEvents",
        &[("Name", Op::Has)],
        "Indicator=Name, Host=Computer, SrcIp=ClientIP, Account=\"\", Detail=IPAddresses",
    ),
    leg(
        "ASimDnsActivityLogs",
        &[("DnsQuery", Op::Has)],
        "Indicator=DnsQuery, Host=Dvc, SrcIp=SrcIpAddr, Account=SrcUsername, Detail=DnsResponseName",
    ),
    leg(
        "DeviceNetworkEvents",
        &[("RemoteUrl", Op::Has)],
        "Indicator=RemoteUrl, Host=DeviceName, SrcIp=LocalIP, Account=InitiatingProcessAccountUpn, Detail=strcat(ActionType, \" \", RemoteIP)",
    ),
    leg(
        "CommonSecurityLog",
        &[("DestinationHostName", Op::Has), ("RequestURL", Op::Has)],
        "Indicator=coalesce(DestinationHostName, RequestURL), Host=DeviceName, SrcIp=SourceIP, Account=SourceUserName, Detail=strcat(DeviceVendor, \" \", DeviceProduct, \" \", DeviceAction)",
    ),
    leg(
        "AZFWDnsQuery",
        &[("QueryName", Op::Has)],
        "Indicator=QueryName, Host=_ResourceId, SrcIp=SourceIp, Account=\"\", Detail=ResponseCode",
    ),
    leg(
        "AZFWApplicationRule",
        &[("Fqdn", Op::Has)],
        "Indicator=Fqdn, Host=_ResourceId, SrcIp=SourceIp, Account=\"\", Detail=Action",
    ),
    leg(
        "EmailUrlInfo",
        &[("UrlDomain", Op::Has)],
        "Indicator=Url, Host=\"\", SrcIp=\"\", Account=\"\", Detail=NetworkMessageId",
    ),
    leg(
        "EmailEvents",
        &[("SenderFromDomain", Op::Ci), ("SenderMailFromDomain", Op::Ci)],
        "Indicator=SenderFromAddress, Host=\"\", SrcIp=SenderIPv4, Account=RecipientEmailAddress, Detail=Subject",
    ),
    leg(
        "UrlClickEvents",
        &[("Url", Op::Has)],
        "Indicator=Url, Host=\"\", SrcIp=IPAddress, Account=AccountUpn, Detail=ActionType",
    ),
    leg(
        "AlertEvidence",
        &[("RemoteUrl", Op::Has)],
        "Indicator=RemoteUrl, Host=DeviceName, SrcIp=LocalIP, Account=AccountUpn, Detail=Title",
    ),
    leg(
        "Syslog",
        &[("SyslogMessage", Op::Has)],
        "Indicator=\"\", Host=Computer, SrcIp=HostIP, Account=\"\", Detail=SyslogMessage",
    ),
    leg(
        "CloudAppEvents",
        &[("tostring(RawEventData)", Op::Has)],
        "Indicator=\"\", Host=Application, SrcIp=IPAddress, Account=AccountDisplayName, Detail=ActionType",
    ),
    leg(
        "SecurityAlert",
        &[("Entities", Op::Has)],
        "Indicator=\"\", Host=CompromisedEntity, SrcIp=\"\", Account=\"\", Detail=AlertName",
    ),
];

const URL_LEGS: &[Leg] = &[
    leg(
        "DeviceNetworkEvents",
        &[("RemoteUrl", Op::Has)],
        "Indicator=RemoteUrl, Host=DeviceName, SrcIp=LocalIP, Account=InitiatingProcessAccountUpn, Detail=strcat(ActionType, \" \", RemoteIP)",
    ),
    leg(
        "UrlClickEvents",
        &[("Url", Op::Has)],
        "Indicator=Url, Host=\"\", SrcIp=IPAddress, Account=AccountUpn, Detail=ActionType",
    ),
    leg(
        "EmailUrlInfo",
        &[("Url", Op::Has)],
        "Indicator=Url, Host=\"\", SrcIp=\"\", Account=\"\", Detail=NetworkMessageId",
    ),
    leg(
        "CommonSecurityLog",
        &[("RequestURL", Op::Has)],
        "Indicator=RequestURL, Host=DeviceName, SrcIp=SourceIP, Account=SourceUserName, Detail=strcat(DeviceVendor, \" \", DeviceProduct, \" \", DeviceAction)",
    ),
    leg(
        "AZFWApplicationRule",
        &[("TargetUrl", Op::Has)],
        "Indicator=TargetUrl, Host=_ResourceId, SrcIp=SourceIp, Account=\"\", Detail=Action",
    ),
    leg(
        "AlertEvidence",
        &[("RemoteUrl", Op::Has)],
        "Indicator=RemoteUrl, Host=DeviceName, SrcIp=LocalIP, Account=AccountUpn, Detail=Title",
    ),
    leg(
        "CloudAppEvents",
        &[("tostring(RawEventData)", Op::Has)],
        "Indicator=\"\", Host=Application, SrcIp=IPAddress, Account=AccountDisplayName, Detail=ActionType",
    ),
    leg(
        "OfficeActivity",
        &[("OfficeObjectId", Op::Has), ("Site_Url", Op::Has)],
        "Indicator=OfficeObjectId, Host=OfficeWorkload, SrcIp=ClientIP, Account=UserId, Detail=Operation",
    ),
    leg(
        "AuditLogs",
        &[("tostring(TargetResources)", Op::Has), ("tostring(AdditionalDetails)", Op::Has)],
        "Indicator=\"\", Host=LoggedByService, SrcIp=\"\", Account=tostring(InitiatedBy.user.userPrincipalName), Detail=OperationName",
    ),
    leg(
        "SecurityAlert",
        &[("Entities", Op::Has)],
        "Indicator=\"\", Host=CompromisedEntity, SrcIp=\"\", Account=\"\", Detail=AlertName",
    ),
    leg(
        "Syslog",
        &[("SyslogMessage", Op::Has)],
        "Indicator=\"\", Host=Computer, SrcIp=HostIP, Account=\"\", Detail=SyslogMessage",
    ),
];

const EMAIL_LEGS: &[Leg] = &[
    leg(
        "EmailEvents",
        &[
            ("SenderFromAddress", Op::Ci),
            ("SenderMailFromAddress", Op::Ci),
            ("RecipientEmailAddress", Op::Ci),
        ],
        "Indicator=SenderFromAddress, Host=\"\", SrcIp=SenderIPv4, Account=RecipientEmailAddress, Detail=Subject",
    ),
    leg(
        "OfficeActivity",
        &[("UserId", Op::Ci)],
        "Indicator=UserId, Host=OfficeWorkload, SrcIp=ClientIP, Account=UserId, Detail=Operation",
    ),
    leg(
        "SigninLogs",
        &[("UserPrincipalName", Op::Ci)],
        "Indicator=UserPrincipalName, Host=AppDisplayName, SrcIp=IPAddress, Account=UserPrincipalName, Detail=strcat(\"ResultType=\", ResultType)",
    ),
    leg(
        "AADNonInteractiveUserSignInLogs",
        &[("UserPrincipalName", Op::Ci)],
        "Indicator=UserPrincipalName, Host=AppDisplayName, SrcIp=IPAddress, Account=UserPrincipalName, Detail=strcat(\"ResultType=\", ResultType)",
    ),
    leg(
        "AzureActivity",
        &[("Caller", Op::Ci)],
        "Indicator=Caller, Host=ResourceProviderValue, SrcIp=CallerIpAddress, Account=Caller, Detail=OperationNameValue",
    ),
    leg(
        "IdentityLogonEvents",
        &[("AccountUpn", Op::Ci)],
        "Indicator=AccountUpn, Host=DeviceName, SrcIp=IPAddress, Account=AccountUpn, Detail=ActionType",
    ),
    leg(
        "UrlClickEvents",
        &[("AccountUpn", Op::Ci)],
        "Indicator=AccountUpn, Host=\"\", SrcIp=IPAddress, Account=AccountUpn, Detail=Url",
    ),
    leg(
        "SecurityAlert",
        &[("Entities", Op::Has)],
        "Indicator=\"\", Host=CompromisedEntity, SrcIp=\"\", Account=\"\", Detail=AlertName",
    ),
    // Defender for Cloud Apps keeps the acting user's address in the audit record (as the content hub's
    // TI-map e-mail rule reads it).
    leg(
        "CloudAppEvents",
        &[("tostring(RawEventData.UserId)", Op::Ci)],
        "Indicator=tostring(RawEventData.UserId), Host=Application, SrcIp=IPAddress, Account=AccountDisplayName, Detail=ActionType",
    ),
];

const CVE_LEGS: &[Leg] = &[
    Leg {
        table: "DeviceTvmSoftwareVulnerabilities",
        preds: &[("CveId", Op::Ci)],
        post: "",
        project: "Indicator=CveId, Host=DeviceName, Detail=strcat(SoftwareVendor, \" \", SoftwareName, \" \", SoftwareVersion, \" \", VulnerabilitySeverityLevel)",
        timed: false,
        port: None,
    },
    leg(
        "SecurityAlert",
        &[
            ("AlertName", Op::Has),
            ("Description", Op::Has),
            ("ExtendedProperties", Op::Has),
            ("Entities", Op::Has),
        ],
        "Indicator=AlertName, Host=CompromisedEntity, Detail=Description",
    ),
    Leg {
        table: "SecurityIncident",
        preds: &[("Title", Op::Has), ("Description", Op::Has)],
        post: "| summarize arg_max(TimeGenerated, *) by IncidentNumber",
        project: "Indicator=Title, Host=tostring(IncidentNumber), Detail=Description",
        timed: true,
        port: None,
    },
    leg(
        "AlertInfo",
        &[("Title", Op::Has)],
        "Indicator=Title, Host=AlertId, Detail=strcat(Category, \" \", DetectionSource)",
    ),
    leg(
        "CommonSecurityLog",
        &[("Activity", Op::Has), ("Message", Op::Has), ("AdditionalExtensions", Op::Has)],
        "Indicator=Activity, Host=DeviceName, Detail=strcat(DeviceVendor, \" \", DeviceProduct, \" \", Message)",
    ),
    leg(
        "Syslog",
        &[("SyslogMessage", Op::Has)],
        "Indicator=ProcessName, Host=Computer, Detail=SyslogMessage",
    ),
];

const FILE_PATH_LEGS: &[Leg] = &[
    leg(
        "DeviceProcessEvents",
        &[("FolderPath", Op::Ci), ("InitiatingProcessFolderPath", Op::Ci)],
        "Indicator=FolderPath, Host=DeviceName, Account=AccountUpn, SHA256, Detail=ProcessCommandLine",
    ),
    leg(
        "DeviceFileEvents",
        &[("FolderPath", Op::Ci), ("PreviousFolderPath", Op::Ci)],
        "Indicator=FolderPath, Host=DeviceName, Account=InitiatingProcessAccountUpn, SHA256, Detail=ActionType",
    ),
    leg(
        "DeviceImageLoadEvents",
        &[("FolderPath", Op::Ci)],
        "Indicator=FolderPath, Host=DeviceName, Account=InitiatingProcessAccountUpn, SHA256, Detail=InitiatingProcessFileName",
    ),
    leg(
        "DeviceEvents",
        &[("FolderPath", Op::Ci)],
        "Indicator=FolderPath, Host=DeviceName, Account=InitiatingProcessAccountUpn, SHA256, Detail=ActionType",
    ),
    leg(
        "SecurityEvent",
        &[("NewProcessName", Op::Ci), ("FilePath", Op::Ci), ("ObjectName", Op::Ci)],
        "Indicator=coalesce(NewProcessName, FilePath, ObjectName), Host=Computer, Account=Account, SHA256=FileHash, Detail=Activity",
    ),
];

const REGISTRY_LEGS: &[Leg] = &[
    leg(
        "DeviceRegistryEvents",
        &[
            ("RegistryKey", Op::Has),
            ("PreviousRegistryKey", Op::Has),
            // A Run-key indicator ends with the value name, which Defender keeps in its own column.
            ("strcat(RegistryKey, \"\\\\\", RegistryValueName)", Op::Has),
        ],
        "Indicator=RegistryKey, Host=DeviceName, Account=InitiatingProcessAccountUpn, Detail=strcat(ActionType, \" \", RegistryValueName, \"=\", RegistryValueData)",
    ),
    leg(
        "DeviceEvents",
        &[("RegistryKey", Op::Has)],
        "Indicator=RegistryKey, Host=DeviceName, Account=InitiatingProcessAccountUpn, Detail=strcat(ActionType, \" \", RegistryValueName, \"=\", RegistryValueData)",
    ),
    leg(
        "AlertEvidence",
        &[("RegistryKey", Op::Has)],
        "Indicator=RegistryKey, Host=DeviceName, Account=AccountUpn, Detail=Title",
    ),
    leg(
        "SecurityEvent",
        &[("ObjectName", Op::Has)],
        "Indicator=ObjectName, Host=Computer, Account=Account, Detail=strcat(Activity, \" \", ObjectValueName)",
    ),
];

/// Columns compared with the list.
type Cols = &'static [(&'static str, Op)];

/// Hash legs depend on the hash type: only the matching columns are compared.
fn hash_legs(kind: IocKind) -> Vec<Leg> {
    let (own, initiating): (Cols, Cols) = match kind {
        IocKind::Md5 => (
            &[("MD5", Op::Ci), ("InitiatingProcessMD5", Op::Ci)],
            &[("InitiatingProcessMD5", Op::Ci)],
        ),
        IocKind::Sha1 => (
            &[("SHA1", Op::Ci), ("InitiatingProcessSHA1", Op::Ci)],
            &[("InitiatingProcessSHA1", Op::Ci)],
        ),
        IocKind::Sha256 => (
            &[("SHA256", Op::Ci), ("InitiatingProcessSHA256", Op::Ci)],
            &[("InitiatingProcessSHA256", Op::Ci)],
        ),
        _ => (&[], &[]),
    };
    let mut legs = Vec::new();
    if !own.is_empty() {
        legs.push(leg(
            "DeviceProcessEvents",
            own,
            "Host=DeviceName, Account=AccountUpn, FileName, FolderPath, SHA256, Detail=ProcessCommandLine",
        ));
        legs.push(leg(
            "DeviceFileEvents",
            own,
            "Host=DeviceName, Account=InitiatingProcessAccountUpn, FileName, FolderPath, SHA256, Detail=ActionType",
        ));
        legs.push(leg(
            "DeviceImageLoadEvents",
            own,
            "Host=DeviceName, Account=InitiatingProcessAccountUpn, FileName, FolderPath, SHA256, Detail=InitiatingProcessFileName",
        ));
        legs.push(leg(
            "DeviceEvents",
            own,
            "Host=DeviceName, Account=InitiatingProcessAccountUpn, FileName, FolderPath, SHA256, Detail=ActionType",
        ));
        legs.push(leg(
            "DeviceNetworkEvents",
            initiating,
            "Host=DeviceName, Account=InitiatingProcessAccountUpn, FileName=InitiatingProcessFileName, FolderPath=InitiatingProcessFolderPath, SHA256=InitiatingProcessSHA256, Detail=strcat(ActionType, \" \", RemoteIP, \" \", RemoteUrl)",
        ));
    }
    match kind {
        IocKind::Sha256 => {
            legs.push(leg(
                "EmailAttachmentInfo",
                &[("SHA256", Op::Ci)],
                "Host=\"\", Account=RecipientEmailAddress, FileName, FolderPath=\"\", SHA256, Detail=SenderFromAddress",
            ));
            legs.push(leg(
                "AlertEvidence",
                &[("SHA256", Op::Ci)],
                "Host=DeviceName, Account=AccountUpn, FileName, FolderPath, SHA256, Detail=Title",
            ));
        }
        IocKind::Sha1 => legs.push(leg(
            "AlertEvidence",
            &[("SHA1", Op::Ci)],
            "Host=DeviceName, Account=AccountUpn, FileName, FolderPath, SHA256, Detail=Title",
        )),
        _ => {}
    }
    legs.push(leg(
        "CommonSecurityLog",
        &[("FileHash", Op::Ci)],
        "Host=DeviceName, Account=SourceUserName, FileName, FolderPath=FilePath, SHA256=FileHash, Detail=strcat(DeviceVendor, \" \", DeviceProduct, \" \", DeviceAction)",
    ));
    legs.push(leg(
        "SecurityEvent",
        &[("FileHash", Op::Ci)],
        "Host=Computer, Account=Account, FileName=Process, FolderPath=FilePath, SHA256=FileHash, Detail=Activity",
    ));
    legs.push(leg(
        "SecurityAlert",
        &[("Entities", Op::Has)],
        "Host=CompromisedEntity, Account=\"\", FileName=\"\", FolderPath=\"\", SHA256=\"\", Detail=AlertName",
    ));
    // Cloud app audit records (SharePoint/OneDrive uploads, malware detections) carry file hashes in their raw
    // event; CloudAppEvents has no hash column.
    legs.push(leg(
        "CloudAppEvents",
        &[("tostring(RawEventData)", Op::Has)],
        "Host=Application, Account=AccountDisplayName, FileName=ObjectName, FolderPath=\"\", SHA256=\"\", Detail=ActionType",
    ));
    legs
}

pub(super) fn is_defender_table(t: &str) -> bool {
    ["Device", "Email", "UrlClickEvents", "Identity", "Alert", "CloudAppEvents"]
        .iter()
        .any(|p| t.starts_with(p))
}

pub(super) fn native_legs(kind: IocKind) -> Vec<Leg> {
    let stat: &'static [Leg] = match kind {
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => IP_LEGS,
        IocKind::Domain => DOMAIN_LEGS,
        IocKind::Url => URL_LEGS,
        IocKind::Email => EMAIL_LEGS,
        IocKind::Cve => CVE_LEGS,
        IocKind::FilePath => FILE_PATH_LEGS,
        IocKind::RegistryKey => REGISTRY_LEGS,
        k if k.is_hash() => return hash_legs(k),
        _ => &[],
    };
    stat.to_vec()
}
