//! Drift: what runs in each region against the plan, property by property.
//!
//! Two sources, combined and labelled:
//!
//! 1. **streamscale's own live reads** ([`super::live`]), the main source:
//!    the auto-scaling group, its scaling policy and scheduled actions, the
//!    launch template, the running instance types, the security groups, the
//!    load balancer, listeners and target group, and the cache, compared
//!    with the rendered template as typed values (sizes as integers, target
//!    values as numbers, times as instants, rule sets as sets).
//! 2. **CloudFormation drift detection** (DetectStackDrift), where the
//!    endpoint has it. Its findings are kept for the resources streamscale
//!    does not read itself; a failure degrades to a note.
//!
//! Expected values come from a template: the rendered one for `drift` and
//! the planner (what the plan wants), the deployed one to tell what
//! CloudFormation does not know about (what changed outside it).
//!
//! # Repairs
//!
//! CloudFormation compares a template with its previous template, not with
//! what runs: an update with an unchanged template changes nothing, and
//! with `IgnoreUnmodifiedGroupSizeProperties` it does not even re-apply an
//! auto-scaling group's sizes. So the planner repairs drift with **two
//! updates**. The first executes a *repair template*: the deployed template
//! with, for each resource changed outside CloudFormation,
//!
//! * **record**: the drifted property set to its live value (CloudFormation
//!   applies the value that already runs: a no-op), so that the second
//!   update modifies it back and CloudFormation applies the plan's value;
//! * **mark**: a marker inside a property CloudFormation applies as a whole
//!   (a tag in `LaunchTemplateData`: a new launch template version with the
//!   plan's data; a description in `SecurityGroupIngress`: the group's rules
//!   set to exactly the declared ones, hand-added rules revoked);
//! * **drop**: a child resource deleted outside CloudFormation (a scheduled
//!   action, a scaling policy, a listener) removed from the template, so
//!   that the second update creates it again (AWS's documented remedy for a
//!   resource deleted out of band: remove it from the template, then add it
//!   back).
//!
//! The second update is the rendered template itself ([`finish_repair`],
//! run by apply after the first), so the deployed template ends equal to
//! the rendered one: no marker stays behind and the next plan is clean.
//! What CloudFormation cannot repair without replacing a resource (a cache
//! replica, the shard count, an instance already running with another type,
//! a resource other resources depend on) is listed in the plan's notes with
//! what to do instead.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::live::{LiveStack, READ_TYPES, Read, in_service, read_resources, read_stack};
use super::progress::Progress;
use super::{EngineError, RegionPlan, sha256_hex, stack_tags};
use crate::aws::Aws;
use crate::aws::live::{self as read, Detection};
use crate::aws::stack::{Event, StackInfo, Stacks, TemplateSource};
use crate::diff::{Action, PropertyChange, ResourceChange};
use crate::plan::Plan;
use crate::render::{RegionStack, parameters_json, to_pretty};

/// The version of the `drift --json` document.
pub const FORMAT_VERSION: u32 = 1;

/// How long `drift` waits for CloudFormation's drift detection.
pub const DETECTION_DEADLINE: Duration = Duration::from_secs(180);

/// What a finding puts at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Sizes, instance types, scaling policy, scheduled actions, running instances.
    Capacity,
    /// Security group rules, IMDS, encryption.
    Security,
    /// Everything else.
    Config,
}

impl Severity {
    /// The word.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Capacity => "capacity",
            Severity::Security => "security",
            Severity::Config => "config",
        }
    }
}

/// How apply repairs a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Repair {
    /// Record the live value at the property path, then restore the plan's.
    Record(Value),
    /// Put a marker in the resource (`target`), so that CloudFormation
    /// re-applies the property as a whole.
    Mark(String),
    /// Remove the resource from the template, then add it back.
    Drop,
    /// The launch template's default version: pointed at the latest version
    /// after CloudFormation made one with the plan's data (CloudFormation
    /// never moves the default itself). Implies a mark of `target`.
    DefaultVersion(String),
    /// Not repairable by apply: why, and what to do.
    No(String),
}

/// One difference between what runs and the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Region.
    pub region: String,
    /// Logical id (the stack name for a missing stack).
    pub logical_id: String,
    /// Physical id.
    pub physical_id: Option<String>,
    /// Resource type.
    pub resource_type: String,
    /// Property path (`MaxSize`, `LaunchTemplateData.InstanceType`,
    /// `SecurityGroupIngress`, …); empty for a missing resource.
    pub path: String,
    /// What the plan wants.
    pub expected: Value,
    /// What runs.
    pub actual: Value,
    /// What it puts at risk.
    pub severity: Severity,
    /// `streamscale` (live reads) or `cloudformation` (drift detection).
    pub source: &'static str,
    /// Context (which launch template version, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How apply repairs it.
    #[serde(skip)]
    pub repair: Repair,
    /// Identity across comparisons (logical id, path, rule).
    #[serde(skip)]
    pub key: String,
}

/// A resource that is not compared, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NotChecked {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Why.
    pub reason: String,
}

/// A region's drift status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Live matches the plan.
    Clean,
    /// Findings.
    Drifted,
    /// No stack (or only a failed create).
    Missing,
    /// The region could not be read (fully).
    Error,
}

/// CloudFormation's drift detection in a region.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CfnDrift {
    /// Whether the endpoint ran it.
    pub supported: bool,
    /// What happened.
    pub note: String,
    /// The stack drift status it gave (`DRIFTED`, `IN_SYNC`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_drift_status: Option<String>,
}

/// The drift of one region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionDrift {
    /// Region.
    pub region: String,
    /// Stack name.
    pub stack_name: String,
    /// Status.
    pub status: Status,
    /// The sources used: `streamscale`, `cloudformation`.
    pub sources: Vec<&'static str>,
    /// CloudFormation drift detection.
    pub cloudformation_drift: CfnDrift,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Resources not compared.
    pub not_checked: Vec<NotChecked>,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// Why the region is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// InService instances (for `report --live`).
    #[serde(skip)]
    pub in_service: Option<u64>,
}

// ---------------------------------------------------------------------------
// Template values
// ---------------------------------------------------------------------------

/// A value only known after apply (an attribute): never compared.
const UNKNOWN: &str = "\u{0}unknown";

/// What `Ref` resolves to.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// Physical ids by logical id.
    pub physical: BTreeMap<String, String>,
    /// Stack parameters.
    pub parameters: BTreeMap<String, String>,
    /// Region.
    pub region: String,
    /// Stack name.
    pub stack_name: String,
}

/// Resolve `Ref` (resources, parameters, pseudo parameters) and
/// `Fn::Join`; anything else intrinsic is [`UNKNOWN`].
pub fn resolve(v: &Value, ctx: &Ctx) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one member");
            match k.as_str() {
                "Ref" => {
                    let name = arg.as_str().unwrap_or_default();
                    let found = match name {
                        "AWS::Region" => Some(ctx.region.clone()),
                        "AWS::StackName" => Some(ctx.stack_name.clone()),
                        _ => ctx
                            .physical
                            .get(name)
                            .or_else(|| ctx.parameters.get(name))
                            .cloned(),
                    };
                    Value::String(found.unwrap_or_else(|| UNKNOWN.into()))
                }
                "Fn::Join" => {
                    let parts = arg.as_array().map(Vec::as_slice).unwrap_or_default();
                    let sep = parts.first().and_then(Value::as_str).unwrap_or_default();
                    let items = parts
                        .get(1)
                        .map(|l| resolve(l, ctx))
                        .and_then(|l| l.as_array().cloned())
                        .unwrap_or_default();
                    let texts: Vec<String> = items.iter().map(text).collect();
                    if texts.iter().any(|t| t.contains(UNKNOWN)) {
                        Value::String(UNKNOWN.into())
                    } else {
                        Value::String(texts.join(sep))
                    }
                }
                k if k.starts_with("Fn::") => Value::String(UNKNOWN.into()),
                _ => Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), resolve(v, ctx)))
                        .collect(),
                ),
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve(v, ctx)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, ctx)).collect()),
        other => other.clone(),
    }
}

fn is_unknown(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(UNKNOWN),
        Value::Array(a) => a.iter().any(is_unknown),
        Value::Object(m) => m.values().any(is_unknown),
        _ => false,
    }
}

/// A scalar as text (strings without quotes).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One segment of a property path: `Name`, or `Name[selector]` (the list
/// element whose `Key` or `DeviceName` is the selector).
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Select(String, String),
}

fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    let push = |cur: &mut String, out: &mut Vec<Seg>| {
        if cur.is_empty() {
            return;
        }
        let s = std::mem::take(cur);
        match s.find('[') {
            Some(i) if s.ends_with(']') => out.push(Seg::Select(
                s[..i].to_string(),
                s[i + 1..s.len() - 1].to_string(),
            )),
            _ => out.push(Seg::Key(s)),
        }
    };
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => push(&mut cur, &mut out),
            _ => cur.push(c),
        }
    }
    push(&mut cur, &mut out);
    out
}

fn selected<'a>(list: &'a Value, sel: &str) -> Option<&'a Value> {
    list.as_array()?
        .iter()
        .find(|e| e["Key"].as_str() == Some(sel) || e["DeviceName"].as_str() == Some(sel))
}

/// The value at a property path (`A.B`, `Attrs[key]` gives the element's `Value`).
fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let segs = segments(path);
    let mut cur = v;
    for (i, s) in segs.iter().enumerate() {
        match s {
            Seg::Key(k) => cur = cur.get(k)?,
            Seg::Select(k, sel) => {
                cur = selected(cur.get(k)?, sel)?;
                if i == segs.len() - 1 {
                    cur = cur.get("Value")?;
                }
            }
        }
    }
    Some(cur)
}

/// Set the value at a property path, keeping a string where the template
/// had a string (`"MinSize": "4"`).
fn set(v: &mut Value, path: &str, value: Value) -> bool {
    let segs = segments(path);
    let mut cur = v;
    for (i, s) in segs.iter().enumerate() {
        let last = i == segs.len() - 1;
        match s {
            Seg::Key(k) => {
                if last {
                    let Some(m) = cur.as_object_mut() else {
                        return false;
                    };
                    let value = match (m.get(k), &value) {
                        (Some(Value::String(_)), Value::Number(n)) => Value::String(n.to_string()),
                        _ => value,
                    };
                    m.insert(k.clone(), value);
                    return true;
                }
                let Some(next) = cur.get_mut(k) else {
                    return false;
                };
                cur = next;
            }
            Seg::Select(k, sel) => {
                let Some(list) = cur.get_mut(k).and_then(Value::as_array_mut) else {
                    return false;
                };
                let Some(e) = list.iter_mut().find(|e| {
                    e["Key"].as_str() == Some(sel) || e["DeviceName"].as_str() == Some(sel)
                }) else {
                    return false;
                };
                if last {
                    e["Value"] = Value::String(text(&value));
                    return true;
                }
                cur = e;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Typed comparison
// ---------------------------------------------------------------------------

/// How a property compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Num,
    Str,
    Bool,
    /// Order-insensitive list of strings (or of one-string objects).
    Set,
    /// An instant (RFC 3339).
    Instant,
}

/// The typed value of `v` as `kind`, or `None` when it is not one.
fn typed(kind: Kind, v: &Value) -> Option<Value> {
    match kind {
        Kind::Int => match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Value::from),
            Value::String(s) => s.trim().parse::<i64>().ok().map(Value::from),
            _ => None,
        },
        Kind::Num => match v {
            Value::Number(n) => n.as_f64().map(Value::from),
            Value::String(s) => s.trim().parse::<f64>().ok().map(Value::from),
            _ => None,
        },
        Kind::Str => match v {
            Value::Null => None,
            Value::String(s) => Some(Value::String(s.clone())),
            other => Some(Value::String(other.to_string())),
        },
        Kind::Bool => match v {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
            _ => None,
        },
        Kind::Set => {
            let items = v.as_array()?;
            let mut set = BTreeSet::new();
            for i in items {
                let t = match i {
                    Value::Object(m) => {
                        let strings: Vec<&Value> = m.values().filter(|x| x.is_string()).collect();
                        match strings.as_slice() {
                            [one] => text(one),
                            _ => i.to_string(),
                        }
                    }
                    other => text(other),
                };
                set.insert(t);
            }
            Some(Value::Array(set.into_iter().map(Value::String).collect()))
        }
        Kind::Instant => {
            let s = v.as_str()?;
            let t = DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
                .or_else(|| {
                    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                        .ok()
                        .map(|n| n.and_utc())
                })?;
            Some(Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
        }
    }
}

/// How a property is repaired.
#[derive(Debug, Clone, Copy)]
enum How {
    Record,
    No(&'static str),
}

/// A compared property: path, kind, severity, repair.
type Prop = (&'static str, Kind, Severity, How);

const REPLACES: &str = "CloudFormation can only change it by replacing the resource: change it back by hand, or destroy and apply the region";

const ASG_PROPS: &[Prop] = &[
    ("MaxSize", Kind::Int, Severity::Capacity, How::Record),
    (
        "LaunchTemplate.LaunchTemplateId",
        Kind::Str,
        Severity::Config,
        How::No("point the group back at the stack's launch template by hand"),
    ),
    (
        "VPCZoneIdentifier",
        Kind::Set,
        Severity::Config,
        How::Record,
    ),
    ("TargetGroupARNs", Kind::Set, Severity::Config, How::Record),
    ("HealthCheckType", Kind::Str, Severity::Config, How::Record),
    (
        "HealthCheckGracePeriod",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
];

const POLICY_PROPS: &[Prop] = &[
    ("PolicyType", Kind::Str, Severity::Capacity, How::Record),
    (
        "TargetTrackingConfiguration.TargetValue",
        Kind::Num,
        Severity::Capacity,
        How::Record,
    ),
    (
        "TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
        Kind::Str,
        Severity::Capacity,
        How::Record,
    ),
    (
        "TargetTrackingConfiguration.DisableScaleIn",
        Kind::Bool,
        Severity::Capacity,
        How::Record,
    ),
    (
        "EstimatedInstanceWarmup",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
];

const ACTION_PROPS: &[Prop] = &[
    ("StartTime", Kind::Instant, Severity::Capacity, How::Record),
    ("EndTime", Kind::Instant, Severity::Capacity, How::Record),
    ("Recurrence", Kind::Str, Severity::Capacity, How::Record),
    ("MinSize", Kind::Int, Severity::Capacity, How::Record),
    ("MaxSize", Kind::Int, Severity::Capacity, How::Record),
    (
        "DesiredCapacity",
        Kind::Int,
        Severity::Capacity,
        How::Record,
    ),
];

const LT_PROPS: &[(&str, Kind, Severity)] = &[
    ("ImageId", Kind::Str, Severity::Config),
    ("InstanceType", Kind::Str, Severity::Capacity),
    ("MetadataOptions.HttpTokens", Kind::Str, Severity::Security),
    (
        "MetadataOptions.HttpEndpoint",
        Kind::Str,
        Severity::Security,
    ),
    (
        "MetadataOptions.HttpPutResponseHopLimit",
        Kind::Int,
        Severity::Security,
    ),
    ("SecurityGroupIds", Kind::Set, Severity::Security),
    ("Monitoring.Enabled", Kind::Bool, Severity::Config),
];

const LB_PROPS: &[Prop] = &[
    ("Type", Kind::Str, Severity::Config, How::No(REPLACES)),
    ("Scheme", Kind::Str, Severity::Config, How::No(REPLACES)),
    ("IpAddressType", Kind::Str, Severity::Config, How::Record),
    ("Subnets", Kind::Set, Severity::Config, How::Record),
    ("SecurityGroups", Kind::Set, Severity::Security, How::Record),
];

const LISTENER_PROPS: &[Prop] = &[
    ("Port", Kind::Int, Severity::Config, How::Record),
    ("Protocol", Kind::Str, Severity::Config, How::Record),
    ("SslPolicy", Kind::Str, Severity::Security, How::Record),
    ("Certificates", Kind::Set, Severity::Security, How::Record),
];

const TG_PROPS: &[Prop] = &[
    ("Protocol", Kind::Str, Severity::Config, How::No(REPLACES)),
    ("Port", Kind::Int, Severity::Config, How::No(REPLACES)),
    ("TargetType", Kind::Str, Severity::Config, How::No(REPLACES)),
    ("VpcId", Kind::Str, Severity::Config, How::No(REPLACES)),
    (
        "HealthCheckEnabled",
        Kind::Bool,
        Severity::Config,
        How::Record,
    ),
    (
        "HealthCheckProtocol",
        Kind::Str,
        Severity::Config,
        How::Record,
    ),
    ("HealthCheckPath", Kind::Str, Severity::Config, How::Record),
    (
        "HealthCheckIntervalSeconds",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
    (
        "HealthCheckTimeoutSeconds",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
    (
        "HealthyThresholdCount",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
    (
        "UnhealthyThresholdCount",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
    ("Matcher.HttpCode", Kind::Str, Severity::Config, How::Record),
];

const CACHE_PROPS: &[Prop] = &[
    ("CacheNodeType", Kind::Str, Severity::Capacity, How::Record),
    (
        "NumNodeGroups",
        Kind::Int,
        Severity::Capacity,
        How::No(
            "CloudFormation cannot reshard without replacing the replication group: reshard by hand (aws elasticache modify-replication-group-shard-configuration)",
        ),
    ),
    (
        "AtRestEncryptionEnabled",
        Kind::Bool,
        Severity::Security,
        How::No(REPLACES),
    ),
    (
        "TransitEncryptionEnabled",
        Kind::Bool,
        Severity::Security,
        How::Record,
    ),
    (
        "AutomaticFailoverEnabled",
        Kind::Bool,
        Severity::Config,
        How::Record,
    ),
    ("MultiAZEnabled", Kind::Bool, Severity::Config, How::Record),
    ("Engine", Kind::Str, Severity::Config, How::No(REPLACES)),
    ("Port", Kind::Int, Severity::Config, How::No(REPLACES)),
    (
        "SnapshotRetentionLimit",
        Kind::Int,
        Severity::Config,
        How::Record,
    ),
];

/// The resource types streamscale does not read, with why.
fn not_read_reason(resource_type: &str) -> String {
    let why = match resource_type {
        "AWS::EC2::VPC"
        | "AWS::EC2::Subnet"
        | "AWS::EC2::RouteTable"
        | "AWS::EC2::Route"
        | "AWS::EC2::SubnetRouteTableAssociation"
        | "AWS::EC2::InternetGateway"
        | "AWS::EC2::VPCGatewayAttachment"
        | "AWS::EC2::NatGateway"
        | "AWS::EC2::EIP" => "network plumbing: no capacity or security setting streamscale reads",
        "AWS::CloudWatch::Alarm" => "alarms: no capacity or security setting streamscale reads",
        "AWS::ElastiCache::SubnetGroup" => {
            "cache subnet group: the cache's placement, not its capacity"
        }
        _ => "a resource type streamscale does not read",
    };
    why.to_string()
}

/// Builds the findings of one region.
struct Cmp<'a> {
    region: &'a str,
    ctx: &'a Ctx,
    template: &'a Value,
    now: DateTime<Utc>,
    findings: Vec<Finding>,
}

impl Cmp<'_> {
    fn props(&self, logical: &str) -> Value {
        resolve(&self.template["Resources"][logical]["Properties"], self.ctx)
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        logical: &str,
        rtype: &str,
        path: &str,
        expected: Value,
        actual: Value,
        severity: Severity,
        repair: Repair,
        note: Option<String>,
        key_extra: &str,
    ) {
        self.findings.push(Finding {
            region: self.region.to_string(),
            logical_id: logical.to_string(),
            physical_id: self.ctx.physical.get(logical).cloned(),
            resource_type: rtype.to_string(),
            path: path.to_string(),
            expected,
            actual,
            severity,
            source: "streamscale",
            note,
            repair,
            key: format!("{logical}|{path}|{key_extra}"),
        });
    }

    /// Compare the listed properties that the template declares.
    fn scalars(
        &mut self,
        logical: &str,
        rtype: &str,
        expected: &Value,
        live: &Value,
        props: &[Prop],
    ) {
        for (path, kind, severity, how) in props {
            if let Some((want, got)) = differs(expected, live, path, *kind) {
                let repair = match how {
                    How::Record => Repair::Record(record_value(*kind, live, path)),
                    How::No(why) => Repair::No((*why).to_string()),
                };
                self.push(logical, rtype, path, want, got, *severity, repair, None, "");
            }
        }
    }

    /// Attribute lists (`[{Key, Value}]`): the keys the template declares.
    fn attributes(
        &mut self,
        logical: &str,
        rtype: &str,
        expected: &Value,
        live: &Value,
        name: &str,
    ) {
        for a in expected[name].as_array().cloned().unwrap_or_default() {
            let Some(key) = a["Key"].as_str() else {
                continue;
            };
            let want = text(&a["Value"]);
            let got = selected(&live[name], key).map(|e| text(&e["Value"]));
            if got.as_deref() != Some(want.as_str()) {
                let path = format!("{name}[{key}]");
                self.push(
                    logical,
                    rtype,
                    &path,
                    Value::String(want),
                    got.clone().map_or(Value::Null, Value::String),
                    Severity::Config,
                    Repair::Record(got.map_or(Value::Null, Value::String)),
                    None,
                    "",
                );
            }
        }
    }

    fn missing(&mut self, logical: &str, rtype: &str, repair: Repair) {
        self.push(
            logical,
            rtype,
            "",
            Value::String("exists".into()),
            Value::String("deleted".into()),
            severity_of_type(rtype),
            repair,
            Some("deleted outside CloudFormation".into()),
            "",
        );
    }
}

/// Equal as typed values (numbers compare as numbers).
/// The typed expected and live values at `path` when they differ; `None`
/// when they agree, or when the plan sets nothing comparable there.
fn differs(expected: &Value, live: &Value, path: &str, kind: Kind) -> Option<(Value, Value)> {
    let want = get(expected, path).filter(|w| !is_unknown(w))?;
    let want = typed(kind, want)?;
    let got = get(live, path)
        .and_then(|v| typed(kind, v))
        .unwrap_or(Value::Null);
    (!same(&want, &got)).then_some((want, got))
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The live value to record in a template for a property.
fn record_value(kind: Kind, live: &Value, path: &str) -> Value {
    match get(live, path) {
        None => Value::Null,
        Some(v) => match kind {
            Kind::Set => Value::Array(
                v.as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            ),
            _ => v.clone(),
        },
    }
}

fn severity_of_type(rtype: &str) -> Severity {
    match rtype {
        "AWS::AutoScaling::AutoScalingGroup"
        | "AWS::AutoScaling::ScalingPolicy"
        | "AWS::AutoScaling::ScheduledAction"
        | "AWS::EC2::LaunchTemplate"
        | "AWS::ElastiCache::ReplicationGroup"
        | "AWS::CloudFormation::Stack" => Severity::Capacity,
        t if t.starts_with("AWS::EC2::SecurityGroup") => Severity::Security,
        _ => Severity::Config,
    }
}

/// Other resources (or outputs) that refer to `logical`.
fn referenced(template: &Value, logical: &str) -> bool {
    fn refers(v: &Value, logical: &str) -> bool {
        match v {
            Value::Object(m) => m.iter().any(|(k, x)| {
                (k == "Ref" && x.as_str() == Some(logical))
                    || (k == "Fn::GetAtt"
                        && x.as_array().and_then(|a| a.first()).and_then(Value::as_str)
                            == Some(logical))
                    || (k == "DependsOn"
                        && (x.as_str() == Some(logical)
                            || x.as_array()
                                .is_some_and(|a| a.iter().any(|d| d.as_str() == Some(logical)))))
                    || refers(x, logical)
            }),
            Value::Array(a) => a.iter().any(|x| refers(x, logical)),
            _ => false,
        }
    }
    let others = template["Resources"]
        .as_object()
        .map(|m| m.iter().any(|(k, r)| k != logical && refers(r, logical)))
        .unwrap_or(false);
    others || refers(&template["Outputs"], logical)
}

/// A security group rule in canonical form, or `None` for a rule of no
/// known source.
fn rule(r: &Value, egress: bool) -> Option<Value> {
    let proto = text(&r["IpProtocol"]).to_ascii_lowercase();
    let proto = match proto.as_str() {
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "all" => "-1".to_string(),
        p => p.to_string(),
    };
    let mut m = Map::new();
    m.insert("IpProtocol".into(), Value::String(proto.clone()));
    if proto != "-1" {
        m.insert("FromPort".into(), typed(Kind::Int, &r["FromPort"])?);
        m.insert("ToPort".into(), typed(Kind::Int, &r["ToPort"])?);
    }
    let (group, prefix) = if egress {
        ("DestinationSecurityGroupId", "DestinationPrefixListId")
    } else {
        ("SourceSecurityGroupId", "SourcePrefixListId")
    };
    let source = ["CidrIp", "CidrIpv6", group, prefix]
        .into_iter()
        .find(|k| r[*k].is_string())?;
    m.insert(source.into(), r[source].clone());
    Some(Value::Object(m))
}

/// Compare a template against what runs: the findings and what was not compared.
pub fn compare(
    region: &str,
    template: &Value,
    ctx: &Ctx,
    live: &LiveStack,
    now: DateTime<Utc>,
) -> (Vec<Finding>, Vec<NotChecked>) {
    let mut c = Cmp {
        region,
        ctx,
        template,
        now,
        findings: Vec::new(),
    };
    let mut not_checked = Vec::new();
    let resources = template["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let in_stack: BTreeMap<&str, &str> = live
        .resources
        .iter()
        .map(|r| (r.logical_id.as_str(), r.resource_type.as_str()))
        .collect();
    for (logical, r) in &resources {
        let rtype = r["Type"].as_str().unwrap_or_default();
        if !in_stack.contains_key(logical.as_str()) {
            c.push(
                logical,
                rtype,
                "",
                Value::String("exists".into()),
                Value::String("not in the stack".into()),
                severity_of_type(rtype),
                Repair::No(
                    "a pending change: `streamscale plan` shows it, apply creates it".into(),
                ),
                Some("the deployed template does not have it".into()),
                "",
            );
            continue;
        }
        if !READ_TYPES.contains(&rtype) {
            not_checked.push(NotChecked {
                logical_id: logical.clone(),
                resource_type: rtype.to_string(),
                reason: not_read_reason(rtype),
            });
            continue;
        }
        match live.reads.get(logical) {
            None => not_checked.push(NotChecked {
                logical_id: logical.clone(),
                resource_type: rtype.to_string(),
                reason: "no physical id in the stack".into(),
            }),
            Some(Read::Failed(m)) => not_checked.push(NotChecked {
                logical_id: logical.clone(),
                resource_type: rtype.to_string(),
                reason: format!("read failed: {m}"),
            }),
            Some(Read::Missing) => {
                let repair = if rtype == "AWS::AutoScaling::ScheduledAction" {
                    let start = get(&c.props(logical), "StartTime")
                        .and_then(|v| typed(Kind::Instant, v))
                        .and_then(|v| v.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok()));
                    if start.is_some_and(|t| t <= now)
                        && get(&c.props(logical), "Recurrence").is_none()
                    {
                        // A one-time action that ran: AWS deletes it.
                        continue;
                    }
                    Repair::Drop
                } else if referenced(template, logical) {
                    Repair::No("other resources depend on it: destroy and apply the region, or restore it by hand".into())
                } else {
                    Repair::Drop
                };
                c.missing(logical, rtype, repair);
            }
            Some(Read::Found(v)) => {
                let v = v.clone();
                match rtype {
                    "AWS::AutoScaling::AutoScalingGroup" => {
                        c.group(logical, rtype, &v, &resources, live)
                    }
                    "AWS::AutoScaling::ScalingPolicy" => {
                        let e = c.props(logical);
                        c.scalars(logical, rtype, &e, &v, POLICY_PROPS);
                    }
                    "AWS::AutoScaling::ScheduledAction" => {
                        let e = c.props(logical);
                        c.scalars(logical, rtype, &e, &v, ACTION_PROPS);
                    }
                    "AWS::EC2::LaunchTemplate" => c.launch_template(logical, rtype, &v),
                    "AWS::EC2::SecurityGroup" => c.security_group(logical, rtype, &v, &resources),
                    "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                        let e = c.props(logical);
                        c.scalars(logical, rtype, &e, &v, LB_PROPS);
                        c.attributes(logical, rtype, &e, &v, "LoadBalancerAttributes");
                    }
                    "AWS::ElasticLoadBalancingV2::Listener" => c.listener(logical, rtype, &v),
                    "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                        let e = c.props(logical);
                        c.scalars(logical, rtype, &e, &v, TG_PROPS);
                        c.attributes(logical, rtype, &e, &v, "TargetGroupAttributes");
                    }
                    "AWS::ElastiCache::ReplicationGroup" => c.cache(logical, rtype, &v),
                    _ => {}
                }
            }
        }
    }
    // Resources the stack has and the template does not (a pending removal).
    for r in &live.resources {
        if !resources.contains_key(&r.logical_id) {
            c.push(
                &r.logical_id,
                &r.resource_type,
                "",
                Value::String("absent".into()),
                Value::String("exists".into()),
                severity_of_type(&r.resource_type),
                Repair::No(
                    "a pending change: `streamscale plan` shows it, apply removes it".into(),
                ),
                Some("the plan no longer has it".into()),
                "",
            );
        }
    }
    (c.findings, not_checked)
}

/// A size in force because a scheduled action ran: the size and the action.
type InForce = (Value, String);

impl Cmp<'_> {
    /// The MinSize and MaxSize in force now: the template's, or those of
    /// the group's latest one-time scheduled action that already ran (an
    /// event's pre-warm is in effect until its release).
    fn sizes_now(
        &self,
        logical: &str,
        resources: &Map<String, Value>,
    ) -> (Option<InForce>, Option<InForce>) {
        let mut latest: Option<(DateTime<Utc>, &str, &Value)> = None;
        for (id, r) in resources {
            if r["Type"].as_str() != Some("AWS::AutoScaling::ScheduledAction") {
                continue;
            }
            let p = &r["Properties"];
            if p["AutoScalingGroupName"].get("Ref").and_then(Value::as_str) != Some(logical)
                || p.get("Recurrence").is_some()
            {
                continue;
            }
            let Some(t) = typed(Kind::Instant, &p["StartTime"])
                .and_then(|v| v.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok()))
            else {
                continue;
            };
            if t <= self.now && latest.is_none_or(|(l, _, _)| t > l) {
                latest = Some((t, id, p));
            }
        }
        let from = |key: &str| {
            latest.and_then(|(_, id, p)| typed(Kind::Int, &p[key]).map(|v| (v, id.to_string())))
        };
        (from("MinSize"), from("MaxSize"))
    }

    fn group(
        &mut self,
        logical: &str,
        rtype: &str,
        live: &Value,
        resources: &Map<String, Value>,
        stack: &LiveStack,
    ) {
        let e = self.props(logical);
        let (min_now, max_now) = self.sizes_now(logical, resources);
        let min = min_now
            .clone()
            .map(|(v, _)| v)
            .or_else(|| e.get("MinSize").and_then(|v| typed(Kind::Int, v)));
        let max = max_now
            .clone()
            .map(|(v, _)| v)
            .or_else(|| e.get("MaxSize").and_then(|v| typed(Kind::Int, v)));
        if let Some(want) = &min {
            let got = typed(Kind::Int, &live["MinSize"]).unwrap_or(Value::Null);
            if !same(want, &got) {
                let (repair, note) = match &min_now {
                    Some((_, action)) => (
                        Repair::No(format!(
                            "the scheduled action {action} is in effect: CloudFormation would set the plan's baseline; set MinSize {want} by hand (aws autoscaling update-auto-scaling-group --min-size {want})"
                        )),
                        Some(format!("in force since scheduled action {action}")),
                    ),
                    None => (Repair::Record(live["MinSize"].clone()), None),
                };
                self.push(
                    logical,
                    rtype,
                    "MinSize",
                    want.clone(),
                    got,
                    Severity::Capacity,
                    repair,
                    note,
                    "",
                );
            }
        }
        if max_now.is_some() {
            let mut e2 = e.clone();
            if let Some(m) = e2.as_object_mut() {
                m.remove("MaxSize");
            }
            self.scalars(logical, rtype, &e2, live, ASG_PROPS);
            if let (Some(want), Some((_, action))) = (&max, &max_now) {
                let got = typed(Kind::Int, &live["MaxSize"]).unwrap_or(Value::Null);
                if !same(want, &got) {
                    self.push(
                        logical,
                        rtype,
                        "MaxSize",
                        want.clone(),
                        got,
                        Severity::Capacity,
                        Repair::No(format!(
                            "the scheduled action {action} is in effect: set MaxSize {want} by hand"
                        )),
                        Some(format!("in force since scheduled action {action}")),
                        "",
                    );
                }
            }
        } else {
            self.scalars(logical, rtype, &e, live, ASG_PROPS);
        }
        // DesiredCapacity moves with autoscaling: only outside [min, max] is drift.
        if let (Some(lo), Some(hi), Some(d)) = (
            min.as_ref().and_then(Value::as_i64),
            max.as_ref().and_then(Value::as_i64),
            live["DesiredCapacity"].as_i64(),
        ) && (d < lo || d > hi)
        {
            self.push(
                logical,
                rtype,
                "DesiredCapacity",
                json!({"min": lo, "max": hi}),
                Value::from(d),
                Severity::Capacity,
                Repair::No(
                    "follows MinSize and MaxSize once they are repaired, or set it by hand".into(),
                ),
                Some("outside [MinSize, MaxSize]".into()),
                "",
            );
        }
        // The launch template version in use and the instances running.
        let Some(lt_logical) = self.template["Resources"][logical]["Properties"]["LaunchTemplate"]
            ["LaunchTemplateId"]["Ref"]
            .as_str()
            .map(str::to_string)
        else {
            return;
        };
        let want_data = self.props(&lt_logical)["LaunchTemplateData"].clone();
        if let Some(Read::Found(lt)) = stack.reads.get(&lt_logical)
            && let Some(version) = live
                .pointer("/LaunchTemplate/Version")
                .and_then(Value::as_str)
        {
            let number = match version {
                "$Latest" => lt["LatestVersionNumber"].as_i64(),
                "$Default" => lt["DefaultVersionNumber"].as_i64(),
                n => n.parse::<i64>().ok(),
            };
            let data = number.and_then(|n| lt["Versions"].get(n.to_string()));
            let differs = data.map(|d| !lt_differences(&want_data, d).is_empty());
            if differs != Some(false) {
                let latest = lt["LatestVersionNumber"].as_i64();
                let latest_ok = latest
                    .and_then(|n| lt["Versions"].get(n.to_string()))
                    .is_some_and(|d| lt_differences(&want_data, d).is_empty());
                let diffs = data
                    .map(|d| {
                        lt_differences(&want_data, d)
                            .into_iter()
                            .map(|(p, w, g, _)| format!("{p} {} instead of {}", text(&g), text(&w)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|| "the version does not exist".into());
                self.push(
                    logical,
                    rtype,
                    "LaunchTemplate.Version",
                    if latest_ok {
                        Value::String(latest.unwrap_or_default().to_string())
                    } else {
                        Value::String("a version with the plan's launch data".into())
                    },
                    Value::String(version.to_string()),
                    Severity::Capacity,
                    Repair::Mark(lt_logical.clone()),
                    Some(format!("version {version} launches {diffs}")),
                    "",
                );
            }
        }
        if let Some(want) = want_data
            .get("InstanceType")
            .and_then(|v| typed(Kind::Str, v))
            && !is_unknown(&want)
        {
            let mut running: BTreeMap<String, u64> = BTreeMap::new();
            for i in live["Instances"].as_array().cloned().unwrap_or_default() {
                let state = i["LifecycleState"].as_str().unwrap_or_default();
                if state == "InService" || state.starts_with("Pending") {
                    *running.entry(text(&i["InstanceType"])).or_default() += 1;
                }
            }
            if running.keys().any(|t| Some(t.as_str()) != want.as_str()) {
                self.push(
                    logical,
                    rtype,
                    "Instances.InstanceType",
                    want,
                    json!(running),
                    Severity::Capacity,
                    Repair::No("running instances keep their type until they are replaced: start an instance refresh (aws autoscaling start-instance-refresh)".into()),
                    Some("instance types running (InService and Pending), with counts".into()),
                    "",
                );
            }
        }
    }

    fn launch_template(&mut self, logical: &str, rtype: &str, live: &Value) {
        let want = self.props(logical)["LaunchTemplateData"].clone();
        let latest = live["LatestVersionNumber"].as_i64();
        let default = live["DefaultVersionNumber"].as_i64();
        let check = |c: &mut Self, n: Option<i64>, which: &str, repair: Repair| {
            let Some(n) = n else {
                return;
            };
            let Some(data) = live["Versions"].get(n.to_string()) else {
                return;
            };
            for (path, w, g, sev) in lt_differences(&want, data) {
                c.push(
                    logical,
                    rtype,
                    &format!("LaunchTemplateData.{path}"),
                    w,
                    g,
                    sev,
                    repair.clone(),
                    Some(format!("version {n} ({which})")),
                    &n.to_string(),
                );
            }
        };
        // CloudFormation makes every version it creates the latest one.
        let both = latest == default;
        check(
            self,
            latest,
            if both { "latest and default" } else { "latest" },
            if both && default != Some(1) {
                Repair::DefaultVersion(logical.to_string())
            } else {
                Repair::Mark(logical.to_string())
            },
        );
        // It leaves the default at version 1 (cloudformation-coverage-roadmap#1518):
        // another default must carry the plan's launch data.
        if !both && default.is_some_and(|d| d != 1) {
            check(
                self,
                default,
                "default",
                Repair::DefaultVersion(logical.to_string()),
            );
        }
    }

    fn security_group(
        &mut self,
        logical: &str,
        rtype: &str,
        live: &Value,
        resources: &Map<String, Value>,
    ) {
        let e = self.props(logical);
        let group_id = self.ctx.physical.get(logical).cloned();
        for (name, egress) in [
            ("SecurityGroupIngress", false),
            ("SecurityGroupEgress", true),
        ] {
            // CloudFormation sets only a rule list the template declares.
            let repair = if e.get(name).is_some() {
                Repair::Mark(logical.to_string())
            } else {
                let (verb, what) = if egress {
                    (
                        "authorize-security-group-egress or revoke-security-group-egress",
                        "egress",
                    )
                } else {
                    (
                        "authorize-security-group-ingress or revoke-security-group-ingress",
                        "ingress",
                    )
                };
                Repair::No(format!(
                    "the template declares no {name}, so CloudFormation leaves the {what} rules alone: change them back by hand (aws ec2 {verb})"
                ))
            };
            let mut declared: Vec<Value> = match e.get(name).and_then(Value::as_array) {
                Some(rules) => rules.clone(),
                None if egress => vec![json!({"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"})],
                None => Vec::new(),
            };
            // Standalone ingress/egress resources of this group count too.
            let standalone = if egress {
                "AWS::EC2::SecurityGroupEgress"
            } else {
                "AWS::EC2::SecurityGroupIngress"
            };
            for (id, r) in resources {
                if r["Type"].as_str() == Some(standalone) {
                    let p = self.props(id);
                    if p["GroupId"].as_str().is_some()
                        && p["GroupId"].as_str() == group_id.as_deref()
                    {
                        declared.push(p);
                    }
                }
            }
            if declared.iter().any(is_unknown) {
                continue;
            }
            let want: BTreeSet<String> = declared
                .iter()
                .filter_map(|r| rule(r, egress))
                .map(|r| r.to_string())
                .collect();
            let got: BTreeSet<String> = live[name]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|r| rule(r, egress))
                .map(|r| r.to_string())
                .collect();
            for extra in got.difference(&want) {
                let v: Value = serde_json::from_str(extra).unwrap_or(Value::Null);
                let world = ["0.0.0.0/0", "::/0"]
                    .iter()
                    .any(|w| v["CidrIp"].as_str() == Some(w) || v["CidrIpv6"].as_str() == Some(w));
                self.push(
                    logical,
                    rtype,
                    name,
                    Value::Null,
                    v,
                    Severity::Security,
                    repair.clone(),
                    Some(
                        if world && !egress {
                            "a rule open to the world, added outside CloudFormation"
                        } else {
                            "a rule added outside CloudFormation"
                        }
                        .into(),
                    ),
                    extra,
                );
            }
            for lost in want.difference(&got) {
                let v: Value = serde_json::from_str(lost).unwrap_or(Value::Null);
                self.push(
                    logical,
                    rtype,
                    name,
                    v,
                    Value::Null,
                    Severity::Security,
                    repair.clone(),
                    Some("a declared rule removed outside CloudFormation".into()),
                    lost,
                );
            }
        }
    }

    fn listener(&mut self, logical: &str, rtype: &str, live: &Value) {
        let e = self.props(logical);
        self.scalars(logical, rtype, &e, live, LISTENER_PROPS);
        let canon = |actions: &Value| -> Value {
            Value::Array(
                actions
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|a| {
                        let mut m = Map::new();
                        m.insert("Type".into(), Value::String(text(&a["Type"])));
                        if let Some(t) = a.get("TargetGroupArn") {
                            m.insert("TargetGroupArn".into(), Value::String(text(t)));
                        }
                        if let Some(r) = a.get("RedirectConfig") {
                            let mut rc = Map::new();
                            for k in ["Protocol", "Port", "StatusCode"] {
                                if let Some(x) = r.get(k) {
                                    rc.insert(k.into(), Value::String(text(x)));
                                }
                            }
                            m.insert("RedirectConfig".into(), Value::Object(rc));
                        }
                        Value::Object(m)
                    })
                    .collect(),
            )
        };
        if let Some(want) = e.get("DefaultActions")
            && !is_unknown(want)
        {
            let (w, g) = (canon(want), canon(&live["DefaultActions"]));
            if w != g {
                self.push(
                    logical,
                    rtype,
                    "DefaultActions",
                    w,
                    g.clone(),
                    Severity::Config,
                    Repair::Record(g),
                    None,
                    "",
                );
            }
        }
    }

    fn cache(&mut self, logical: &str, rtype: &str, live: &Value) {
        let e = self.props(logical);
        self.scalars(logical, rtype, &e, live, CACHE_PROPS);
        let Some(want) = e
            .get("ReplicasPerNodeGroup")
            .and_then(|v| typed(Kind::Int, v))
        else {
            return;
        };
        for g in live["NodeGroups"].as_array().cloned().unwrap_or_default() {
            let got = typed(Kind::Int, &g["Replicas"]).unwrap_or(Value::Null);
            if !same(&want, &got) {
                let id = text(&g["NodeGroupId"]);
                self.push(
                    logical,
                    rtype,
                    "ReplicasPerNodeGroup",
                    want.clone(),
                    got,
                    Severity::Capacity,
                    Repair::No(format!(
                        "CloudFormation replaces the replication group to change its replicas: add them back by hand (aws elasticache increase-replica-count --replication-group-id {} --new-replica-count {want} --apply-immediately)",
                        self.ctx.physical.get(logical).cloned().unwrap_or_default()
                    )),
                    Some(format!("node group {id}")),
                    &id,
                );
            }
        }
    }
}

/// Differences between the planned launch data and a live version's:
/// `(path, expected, actual, severity)`.
fn lt_differences(want: &Value, got: &Value) -> Vec<(String, Value, Value, Severity)> {
    let mut out = Vec::new();
    for (path, kind, sev) in LT_PROPS {
        if let Some((w, g)) = differs(want, got, path, *kind) {
            out.push((path.to_string(), w, g, *sev));
        }
    }
    for bdm in want["BlockDeviceMappings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let Some(device) = bdm["DeviceName"].as_str() else {
            continue;
        };
        let live = selected(&got["BlockDeviceMappings"], device);
        for (field, kind, sev) in [
            ("Encrypted", Kind::Bool, Severity::Security),
            ("VolumeSize", Kind::Int, Severity::Config),
            ("VolumeType", Kind::Str, Severity::Config),
        ] {
            let Some(w) = bdm["Ebs"].get(field).and_then(|v| typed(kind, v)) else {
                continue;
            };
            let g = live
                .and_then(|l| l["Ebs"].get(field))
                .and_then(|v| typed(kind, v))
                .unwrap_or(Value::Null);
            if !same(&w, &g) {
                out.push((
                    format!("BlockDeviceMappings[{device}].Ebs.{field}"),
                    w,
                    g,
                    sev,
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// CloudFormation drift detection
// ---------------------------------------------------------------------------

/// Run CloudFormation drift detection on a stack, with a deadline.
async fn cloudformation(
    aws: &Aws,
    region: &str,
    stack: &str,
) -> (CfnDrift, Vec<read::ResourceDrift>) {
    let cf = aws.cloudformation(region);
    let id = match read::detect_stack_drift(&cf, stack).await {
        Ok(id) => id,
        Err(m) => {
            return (
                CfnDrift {
                    supported: false,
                    note: format!(
                        "DetectStackDrift failed ({m}): CloudFormation drift detection is not available here; the findings come from streamscale's live reads only"
                    ),
                    stack_drift_status: None,
                },
                Vec::new(),
            );
        }
    };
    let status = match read::wait_drift_detection(&cf, region, &id, DETECTION_DEADLINE).await {
        Ok(Detection::Done { status, reason }) => (status, reason),
        Ok(Detection::TimedOut) => {
            return (
                CfnDrift {
                    supported: true,
                    note: format!(
                        "drift detection {id} did not finish within {} s: its results are left out",
                        DETECTION_DEADLINE.as_secs()
                    ),
                    stack_drift_status: None,
                },
                Vec::new(),
            );
        }
        Err(e) => {
            return (
                CfnDrift {
                    supported: true,
                    note: format!("drift detection {id} could not be followed: {e}"),
                    stack_drift_status: None,
                },
                Vec::new(),
            );
        }
    };
    match read::resource_drifts(&cf, region, stack).await {
        Ok(drifts) => (
            CfnDrift {
                supported: true,
                note: match &status.1 {
                    Some(r) => format!("drift detection ran: {r}"),
                    None => "drift detection ran".into(),
                },
                stack_drift_status: Some(status.0),
            },
            drifts,
        ),
        Err(e) => (
            CfnDrift {
                supported: true,
                note: format!("drift detection ran but its results could not be read: {e}"),
                stack_drift_status: Some(status.0),
            },
            Vec::new(),
        ),
    }
}

/// CloudFormation's findings for the resources streamscale does not read
/// (for the ones it reads, its own typed comparison with the plan wins).
pub fn cloudformation_findings(region: &str, drifts: &[read::ResourceDrift]) -> Vec<Finding> {
    let parse = |s: &Option<String>| -> Value {
        match s {
            None => Value::Null,
            Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
        }
    };
    let mut out = Vec::new();
    for d in drifts {
        if READ_TYPES.contains(&d.resource_type.as_str()) {
            continue;
        }
        let base = |path: String, expected: Value, actual: Value, note: Option<String>| Finding {
            region: region.to_string(),
            logical_id: d.logical_id.clone(),
            physical_id: d.physical_id.clone(),
            resource_type: d.resource_type.clone(),
            key: format!("{}|{path}|cfn", d.logical_id),
            path,
            expected,
            actual,
            severity: severity_of_type(&d.resource_type),
            source: "cloudformation",
            note,
            repair: Repair::No(
                "found by CloudFormation drift detection: change it back by hand".into(),
            ),
        };
        if d.status == "DELETED" {
            out.push(base(
                String::new(),
                Value::String("exists".into()),
                Value::String("deleted".into()),
                None,
            ));
            continue;
        }
        for (path, expected, actual, kind) in &d.differences {
            let path = path.trim_start_matches('/').replace('/', ".");
            out.push(base(
                path,
                parse(expected),
                parse(actual),
                Some(format!("difference {kind}")),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Regions
// ---------------------------------------------------------------------------

/// The resolution context of a stack.
pub fn ctx_of(live: &LiveStack, stack_name: &str) -> Ctx {
    Ctx {
        physical: live.physical_ids(),
        parameters: live.info.parameters.clone(),
        region: live.region.clone(),
        stack_name: stack_name.to_string(),
    }
}

fn empty_region(region: &str, stack_name: &str, status: Status) -> RegionDrift {
    RegionDrift {
        region: region.to_string(),
        stack_name: stack_name.to_string(),
        status,
        sources: vec!["streamscale"],
        cloudformation_drift: CfnDrift::default(),
        findings: Vec::new(),
        not_checked: Vec::new(),
        notes: Vec::new(),
        error: None,
        in_service: None,
    }
}

/// The drift of one region; `cfn` runs CloudFormation drift detection too.
pub async fn drift_region(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    cfn: bool,
    now: DateTime<Utc>,
) -> RegionDrift {
    let name = plan.stack_name();
    let region = stack.region.as_str();
    let mut out = empty_region(region, &name, Status::Clean);
    // CloudFormation's detection (slow on AWS) runs while streamscale reads.
    let detect = async {
        if cfn {
            cloudformation(aws, region, &name).await
        } else {
            (
                CfnDrift {
                    supported: false,
                    note: "skipped: live reads only".into(),
                    stack_drift_status: None,
                },
                Vec::new(),
            )
        }
    };
    let (live, (cfn_drift, cfn_resources)) = futures::join!(read_stack(aws, region, &name), detect);
    let live = match live {
        Ok(Some(l)) => l,
        Ok(None) => {
            out.status = Status::Missing;
            out.cloudformation_drift.note = "no stack: nothing to detect".into();
            out.findings.push(missing_stack(region, &name, None));
            return out;
        }
        Err(e) => {
            out.status = Status::Error;
            out.error = Some(e.to_string());
            return out;
        }
    };
    if super::planner::is_busy(&live.info.status) {
        out.status = Status::Error;
        out.error = Some(format!(
            "stack {name} is busy ({}): run drift again when it is done",
            live.info.status
        ));
        return out;
    }
    if matches!(
        live.info.status.as_str(),
        "ROLLBACK_COMPLETE" | "REVIEW_IN_PROGRESS"
    ) {
        out.status = Status::Missing;
        out.cloudformation_drift.note = "the stack never finished creating".into();
        out.findings
            .push(missing_stack(region, &name, Some(live.info.status.clone())));
        return out;
    }
    let ctx = ctx_of(&live, &name);
    let rendered = stack.template_value();
    let (mut findings, mut not_checked) = compare(region, &rendered, &ctx, &live, now);
    if cfn_drift.supported {
        out.sources.push("cloudformation");
        let extra = cloudformation_findings(region, &cfn_resources);
        for n in &mut not_checked {
            if n.reason.starts_with("read failed") {
                continue;
            }
            n.reason
                .push_str("; CloudFormation drift detection compares it");
        }
        findings.extend(extra);
    }
    if live.deployed != rendered && !live.deployed.is_null() {
        let pending = crate::diff::diff_templates(Some(&live.deployed), &rendered);
        if !pending.is_empty() {
            out.notes.push(format!(
                "the deployed template differs from the plan in {} resource{} (a change not applied yet): findings include it; `streamscale plan` shows it",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" }
            ));
        }
    }
    let failed: Vec<&NotChecked> = not_checked
        .iter()
        .filter(|n| n.reason.starts_with("read failed"))
        .collect();
    if !failed.is_empty() {
        out.error = Some(format!(
            "{} resource{} could not be read: {}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed
                .iter()
                .map(|n| format!("{} ({})", n.logical_id, n.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    findings.sort_by(|a, b| {
        (a.severity, &a.logical_id, &a.path, &a.key).cmp(&(
            b.severity,
            &b.logical_id,
            &b.path,
            &b.key,
        ))
    });
    out.in_service = in_service(&live);
    out.status = if out.error.is_some() {
        Status::Error
    } else if findings.is_empty() {
        Status::Clean
    } else {
        Status::Drifted
    };
    out.cloudformation_drift = cfn_drift;
    out.findings = findings;
    out.not_checked = not_checked;
    out
}

fn missing_stack(region: &str, name: &str, status: Option<String>) -> Finding {
    Finding {
        region: region.to_string(),
        logical_id: name.to_string(),
        physical_id: None,
        resource_type: "AWS::CloudFormation::Stack".into(),
        path: String::new(),
        expected: Value::String("exists".into()),
        actual: Value::String(match &status {
            Some(s) => format!("{s} (a create that never finished)"),
            None => "missing".into(),
        }),
        severity: Severity::Capacity,
        source: "streamscale",
        note: Some("apply creates the stack".into()),
        repair: Repair::No("apply creates it".into()),
        key: format!("{name}||stack"),
    }
}

/// Every selected region at once.
pub async fn drift_all(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
    cfn: bool,
    now: DateTime<Utc>,
) -> Vec<RegionDrift> {
    join_all(stacks.iter().map(|s| drift_region(aws, plan, s, cfn, now))).await
}

/// Counts by severity, in severity order.
pub fn by_severity(regions: &[RegionDrift]) -> BTreeMap<Severity, usize> {
    let mut m = BTreeMap::new();
    for f in regions.iter().flat_map(|r| &r.findings) {
        *m.entry(f.severity).or_default() += 1;
    }
    m
}

/// One sentence: "no drift in 2 regions" or "drift in 1 of 2 regions: …".
pub fn headline(regions: &[RegionDrift]) -> String {
    let drifted: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| r.status != Status::Clean)
        .collect();
    let n = regions.len();
    let s = |k: usize| if k == 1 { "" } else { "s" };
    if drifted.is_empty() {
        return format!("No drift: live matches the plan in {n} region{}.", s(n));
    }
    let findings: usize = regions.iter().map(|r| r.findings.len()).sum();
    let by: Vec<String> = by_severity(regions)
        .iter()
        .map(|(k, v)| format!("{v} {}", k.as_str()))
        .collect();
    let names: Vec<String> = drifted
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                r.region,
                serde_json::to_value(r.status)
                    .ok()
                    .map(|v| text(&v))
                    .unwrap_or_default()
            )
        })
        .collect();
    format!(
        "Drift in {} of {n} region{}: {findings} finding{}{}: {}.",
        drifted.len(),
        s(n),
        s(findings),
        if by.is_empty() {
            String::new()
        } else {
            format!(" ({})", by.join(", "))
        },
        names.join(", ")
    )
}

// ---------------------------------------------------------------------------
// The planner's check and the repair
// ---------------------------------------------------------------------------

/// What the planner learns from the live reads of a region.
#[derive(Debug, Clone, Default)]
pub struct PlanDrift {
    /// Findings against the rendered template.
    pub findings: Vec<Finding>,
    /// The first update of a repair: the deployed template with the drift
    /// recorded (`None`: nothing to repair).
    pub repair: Option<Value>,
    /// The repairs as the plan shows them (live value → planned value).
    pub changes: Vec<ResourceChange>,
    /// Notes for the plan.
    pub notes: Vec<String>,
}

/// The marker a repair puts in a resource.
pub const MARKER_KEY: &str = "streamscale:repair";

/// The property a mark goes into: the one CloudFormation applies as a whole.
fn marked_property(template: &Value, logical: &str) -> &'static str {
    match template["Resources"][logical]["Type"].as_str() {
        Some("AWS::EC2::SecurityGroup") => "SecurityGroupIngress",
        _ => "LaunchTemplateData",
    }
}

fn mark(template: &mut Value, logical: &str, digest: &str) {
    let r = &mut template["Resources"][logical];
    let rtype = r["Type"].as_str().unwrap_or_default().to_string();
    let props = &mut r["Properties"];
    match rtype.as_str() {
        "AWS::EC2::LaunchTemplate" => {
            let data = &mut props["LaunchTemplateData"];
            if !data["TagSpecifications"].is_array() {
                data["TagSpecifications"] = json!([]);
            }
            let specs = data["TagSpecifications"].as_array_mut().expect("an array");
            let tag = json!({"Key": MARKER_KEY, "Value": digest});
            match specs
                .iter_mut()
                .find(|s| s["ResourceType"].as_str() == Some("instance"))
            {
                Some(s) => {
                    if !s["Tags"].is_array() {
                        s["Tags"] = json!([]);
                    }
                    s["Tags"].as_array_mut().expect("an array").push(tag);
                }
                None => specs.push(json!({"ResourceType": "instance", "Tags": [tag]})),
            }
        }
        "AWS::EC2::SecurityGroup" => {
            // An update of a rule list sets the group's rules to exactly
            // the declared ones: mark each declared list.
            let marker = format!(" ({MARKER_KEY} {digest})");
            let mut marked = false;
            for name in ["SecurityGroupIngress", "SecurityGroupEgress"] {
                if let Some(rules) = props
                    .get_mut(name)
                    .and_then(Value::as_array_mut)
                    .filter(|r| !r.is_empty())
                {
                    let d = text(&rules[0]["Description"]);
                    rules[0]["Description"] =
                        Value::String(format!("{d}{marker}").trim().to_string());
                    marked = true;
                }
            }
            if !marked {
                if !props["Tags"].is_array() {
                    props["Tags"] = json!([]);
                }
                props["Tags"]
                    .as_array_mut()
                    .expect("an array")
                    .push(json!({"Key": MARKER_KEY, "Value": digest}));
            }
        }
        _ => {}
    }
}

/// The repair of a region: which findings of the rendered comparison
/// changed outside CloudFormation (they show against the deployed
/// template too) and are not already changed by the plan, and the first
/// update's template.
pub fn plan_repair(rendered: &Value, live: &LiveStack, ctx: &Ctx, now: DateTime<Utc>) -> PlanDrift {
    let region = live.region.as_str();
    let (findings, _) = compare(region, rendered, ctx, live, now);
    let deployed = &live.deployed;
    let (against_deployed, _) = compare(region, deployed, ctx, live, now);
    let outside: HashSet<&str> = against_deployed.iter().map(|f| f.key.as_str()).collect();
    let mut out = PlanDrift {
        findings: findings.clone(),
        ..PlanDrift::default()
    };
    let props = |t: &Value, l: &str| t["Resources"][l]["Properties"].clone();
    let mut todo: Vec<&Finding> = Vec::new();
    for f in &findings {
        if !outside.contains(f.key.as_str()) {
            continue; // the plan changes it: the normal update applies it
        }
        let unchanged = |path: &str| {
            let (d, r) = (
                props(deployed, &f.logical_id),
                props(rendered, &f.logical_id),
            );
            get(&d, path) == get(&r, path)
        };
        match &f.repair {
            Repair::No(why) => out.notes.push(format!(
                "drift that apply does not repair: {} {}{}: {} (expected {}, actual {}): {why}",
                f.logical_id,
                f.path,
                f.note
                    .as_ref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default(),
                f.severity.as_str(),
                short(&f.expected),
                short(&f.actual),
            )),
            Repair::Record(_) if !unchanged(&f.path) => {}
            Repair::Mark(target) | Repair::DefaultVersion(target) => {
                // The plan changes the marked property anyway: its update
                // re-applies it as a whole.
                let prop = marked_property(rendered, target);
                let (d, r) = (props(deployed, target), props(rendered, target));
                if d.get(prop) == r.get(prop) {
                    todo.push(f);
                }
            }
            _ => todo.push(f),
        }
    }
    if todo.is_empty() {
        return out;
    }
    let digest_text: Vec<String> = todo
        .iter()
        .map(|f| format!("{}={}", f.key, f.actual))
        .collect();
    let digest = &sha256_hex(&[digest_text.join("\n").as_bytes()])[..12];
    let mut template = deployed.clone();
    let mut marked: BTreeSet<String> = BTreeSet::new();
    let mut changes: BTreeMap<String, ResourceChange> = BTreeMap::new();
    for f in &todo {
        let change = changes
            .entry(f.logical_id.clone())
            .or_insert_with(|| ResourceChange {
                logical_id: f.logical_id.clone(),
                resource_type: f.resource_type.clone(),
                action: Action::Update,
                properties: Vec::new(),
            });
        let shown = |f: &Finding| PropertyChange {
            path: if f.path.is_empty() {
                "(drift repair)".into()
            } else {
                format!("{} (drift)", f.path)
            },
            before: (!f.actual.is_null()).then(|| f.actual.clone()),
            after: (!f.expected.is_null()).then(|| f.expected.clone()),
        };
        match &f.repair {
            Repair::Record(value) => {
                let path = &f.path;
                if !set(
                    &mut template["Resources"][&f.logical_id]["Properties"],
                    path,
                    value.clone(),
                ) {
                    continue;
                }
                change.properties.push(shown(f));
            }
            Repair::Mark(target) => {
                marked.insert(target.clone());
                change.properties.push(shown(f));
            }
            Repair::DefaultVersion(target) => {
                marked.insert(target.clone());
                change.properties.push(shown(f));
                if !change
                    .properties
                    .iter()
                    .any(|p| p.path == "DefaultVersionNumber")
                {
                    change.properties.push(PropertyChange {
                        path: "DefaultVersionNumber".into(),
                        before: None,
                        after: Some(Value::String(
                            "the latest version, made by this apply".into(),
                        )),
                    });
                }
            }
            Repair::Drop => {
                if let Some(m) = template["Resources"].as_object_mut() {
                    m.remove(&f.logical_id);
                }
                change.action = Action::Create;
                change.properties.push(shown(f));
            }
            Repair::No(_) => {}
        }
    }
    for target in &marked {
        mark(&mut template, target, digest);
        if !changes.contains_key(target)
            && let Some(rtype) = template["Resources"][target]["Type"].as_str()
        {
            changes.insert(
                target.clone(),
                ResourceChange {
                    logical_id: target.clone(),
                    resource_type: rtype.to_string(),
                    action: Action::Update,
                    properties: Vec::new(),
                },
            );
        }
    }
    if &template == deployed {
        return out;
    }
    let n = todo.len();
    out.notes.push(format!(
        "drift repair: {n} propert{} changed outside CloudFormation; apply runs two updates: the first records what runs (or marks or removes the drifted resources), the second restores the plan",
        if n == 1 { "y" } else { "ies" }
    ));
    out.repair = Some(template);
    out.changes = changes
        .into_values()
        .filter(|c| {
            !c.properties.is_empty() || c.action != Action::Update || marked.contains(&c.logical_id)
        })
        .collect();
    out
}

/// The plan's changes with the repairs merged in, by logical id.
pub fn with_repairs(
    mut changes: Vec<ResourceChange>,
    repairs: &[ResourceChange],
) -> Vec<ResourceChange> {
    for r in repairs {
        match changes.iter_mut().find(|c| c.logical_id == r.logical_id) {
            Some(c) => {
                c.action = c.action.max(r.action);
                c.properties.extend(r.properties.iter().cloned());
            }
            None => changes.push(r.clone()),
        }
    }
    changes.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    changes
}

/// A value in one line, short.
pub fn short(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key("IpProtocol") => {
            let proto = text(&m["IpProtocol"]);
            let ports = match (m.get("FromPort"), m.get("ToPort")) {
                (Some(a), Some(b)) if a == b => format!(" {}", text(a)),
                (Some(a), Some(b)) => format!(" {}-{}", text(a), text(b)),
                _ => String::new(),
            };
            let source = [
                "CidrIp",
                "CidrIpv6",
                "SourceSecurityGroupId",
                "SourcePrefixListId",
                "DestinationSecurityGroupId",
                "DestinationPrefixListId",
            ]
            .iter()
            .find_map(|k| m.get(*k).map(text))
            .unwrap_or_default();
            let proto = if proto == "-1" { "all".into() } else { proto };
            format!("{proto}{ports} {source}")
        }
        other => {
            let s = other.to_string();
            if s.chars().count() > 60 {
                format!("{}…", s.chars().take(59).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// The planner's drift check of an existing stack: live reads, findings
/// against the rendered template, and the repair. Read errors become
/// notes: a plan never fails for them.
pub async fn plan_check(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    info: &StackInfo,
    deployed: &Value,
) -> PlanDrift {
    let region = stack.region.as_str();
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let resources = match stacks.resources(&info.id).await {
        Ok(r) => r,
        Err(e) => {
            return PlanDrift {
                notes: vec![format!("drift not checked: {e}")],
                ..PlanDrift::default()
            };
        }
    };
    let reads = read_resources(aws, region, &resources).await;
    let live = LiveStack {
        region: region.to_string(),
        info: info.clone(),
        resources,
        deployed: deployed.clone(),
        reads,
    };
    let ctx = ctx_of(&live, &plan.stack_name());
    let mut out = plan_repair(&stack.template_value(), &live, &ctx, Utc::now());
    let failed: Vec<String> = live
        .reads
        .iter()
        .filter_map(|(l, r)| match r {
            Read::Failed(m) => Some(format!("{l}: {m}")),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        out.notes.push(format!(
            "drift check incomplete, these could not be read: {}",
            failed.join("; ")
        ));
    }
    out
}

/// A change set name for a repair step (`streamscale-repair-…`, `streamscale-restore-…`).
pub fn change_set_name_for(digest: &str, step: &str) -> String {
    format!("streamscale-{step}-{}", &digest[..16.min(digest.len())])
}

/// Where the repair template goes, and its change set's name.
pub async fn repair_source(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    template: &Value,
) -> Result<(TemplateSource, String), EngineError> {
    let body = to_pretty(template);
    let params = parameters_json(&stack.parameters).to_string();
    let digest = sha256_hex(&[body.as_bytes(), params.as_bytes()]);
    let repair = RegionStack {
        region: stack.region.clone(),
        template: body,
        parameters: stack.parameters.clone(),
    };
    let source = super::planner::template_source(aws, plan, &repair, &digest).await?;
    Ok((source, change_set_name_for(&digest, "repair")))
}

/// After an update: if the stack's template is not the rendered one (the
/// update was a repair's first step), run the second update with the
/// rendered template and wait for it; then point a launch template's
/// default version at the latest when the plan said so. `None` when there
/// was no second update.
pub async fn finish_repair(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    rp: &RegionPlan,
    stacks: &Stacks,
    seen: &mut HashSet<String>,
    progress: &Progress,
) -> Result<Option<(String, Vec<Event>)>, EngineError> {
    let region = stack.region.as_str();
    let name = plan.stack_name();
    let deployed: Value =
        serde_json::from_str(&stacks.template(&name).await?).unwrap_or(Value::Null);
    let mut second = None;
    if deployed != stack.template_value() {
        progress.println(&format!(
            "[{region}] drift repair: what runs is recorded; restoring the plan (second update)"
        ));
        let source = super::planner::template_source(aws, plan, stack, &rp.template_sha256).await?;
        let cs = stacks
            .create_change_set(
                &name,
                &change_set_name_for(&rp.template_sha256, "restore"),
                &source,
                &stack.parameters,
                &stack_tags(plan),
            )
            .await?;
        if cs.is_empty_failure() {
            let _ = stacks.delete_change_set(&name, &cs.id).await;
        } else if cs.status == "FAILED" {
            let _ = stacks.delete_change_set(&name, &cs.id).await;
            return Err(EngineError::Aws(crate::aws::AwsError::Call {
                region: region.to_string(),
                operation: "CreateChangeSet",
                message: cs.reason.unwrap_or_else(|| "change set failed".into()),
            }));
        } else {
            stacks.execute_change_set(&name, &cs.id).await?;
            let (status, failures) =
                super::apply::wait_stack(stacks, &name, seen, progress).await?;
            if status != "UPDATE_COMPLETE" {
                return Ok(Some((status, failures)));
            }
            second = Some((status, failures));
        }
    }
    let default_fix = rp
        .changes
        .iter()
        .filter(|c| c.resource_type == "AWS::EC2::LaunchTemplate")
        .find(|c| {
            c.properties
                .iter()
                .any(|p| p.path == "DefaultVersionNumber")
        });
    if let Some(c) = default_fix {
        let resources = stacks.resources(&name).await?;
        if let Some(id) = resources
            .iter()
            .find(|r| r.logical_id == c.logical_id)
            .and_then(|r| r.physical_id.clone())
        {
            let ec2 = aws.ec2(region);
            if let Some(lt) = read::launch_template(&ec2, region, &id, &[]).await?
                && let Some(latest) = lt["LatestVersionNumber"].as_i64()
            {
                read::set_default_launch_template_version(&ec2, region, &id, &latest.to_string())
                    .await?;
                progress.println(&format!(
                    "[{region}] drift repair: launch template {id} default version set to {latest} (the plan's launch data)"
                ));
            }
        }
    }
    Ok(second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::stack::Resource;

    fn res(l: &str, t: &str, p: &str) -> Resource {
        Resource {
            logical_id: l.into(),
            physical_id: Some(p.into()),
            resource_type: t.into(),
            status: "CREATE_COMPLETE".into(),
        }
    }

    fn template() -> Value {
        json!({"Resources": {
            "AutoScalingGroup": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "4", "MaxSize": "40",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "LaunchTemplate"}, "Version": {"Fn::GetAtt": ["LaunchTemplate", "LatestVersionNumber"]}},
                "VPCZoneIdentifier": [{"Ref": "SubnetA"}], "HealthCheckType": "ELB"}},
            "LaunchTemplate": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
                "ImageId": "ami-1", "InstanceType": "c7i.large", "MetadataOptions": {"HttpTokens": "required"},
                "SecurityGroupIds": [{"Ref": "Sg"}]}}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0", "Description": "HTTP"}]}},
            "Prewarm": {"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {"AutoScalingGroupName": {"Ref": "AutoScalingGroup"}, "StartTime": "2027-01-01T10:00:00Z", "MinSize": 17}},
            "Release": {"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {"AutoScalingGroupName": {"Ref": "AutoScalingGroup"}, "StartTime": "2027-01-01T14:00:00Z", "MinSize": 4}},
            "Cache": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {"CacheNodeType": "cache.r7g.large", "NumNodeGroups": 1, "ReplicasPerNodeGroup": 1, "TransitEncryptionEnabled": true}},
            "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {}}
        }})
    }

    fn live(
        asg: Value,
        lt: Value,
        sg: Value,
        actions: Vec<(&str, Option<Value>)>,
        cache: Value,
    ) -> LiveStack {
        let mut reads = BTreeMap::new();
        reads.insert("AutoScalingGroup".to_string(), Read::Found(asg));
        reads.insert("LaunchTemplate".to_string(), Read::Found(lt));
        reads.insert("Sg".to_string(), Read::Found(sg));
        reads.insert("Cache".to_string(), Read::Found(cache));
        for (l, a) in actions {
            reads.insert(l.to_string(), a.map_or(Read::Missing, Read::Found));
        }
        LiveStack {
            region: "eu-west-1".into(),
            info: StackInfo {
                id: "arn".into(),
                status: "CREATE_COMPLETE".into(),
                status_reason: None,
                last_updated: None,
                created: None,
                parameters: BTreeMap::new(),
                tags: BTreeMap::new(),
                outputs: BTreeMap::new(),
            },
            resources: vec![
                res(
                    "AutoScalingGroup",
                    "AWS::AutoScaling::AutoScalingGroup",
                    "asg-1",
                ),
                res("LaunchTemplate", "AWS::EC2::LaunchTemplate", "lt-1"),
                res("Sg", "AWS::EC2::SecurityGroup", "sg-1"),
                res("Prewarm", "AWS::AutoScaling::ScheduledAction", "pre-1"),
                res("Release", "AWS::AutoScaling::ScheduledAction", "rel-1"),
                res("Cache", "AWS::ElastiCache::ReplicationGroup", "cache-1"),
                res("SubnetA", "AWS::EC2::Subnet", "subnet-a"),
            ],
            deployed: template(),
            reads,
        }
    }

    fn lt_data(t: &str) -> Value {
        json!({"ImageId": "ami-1", "InstanceType": t, "MetadataOptions": {"HttpTokens": "required"}, "SecurityGroupIds": ["sg-1"]})
    }

    fn clean() -> LiveStack {
        live(
            json!({"MinSize": 4, "MaxSize": 40, "DesiredCapacity": 6, "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "1"},
                   "VPCZoneIdentifier": ["subnet-a"], "HealthCheckType": "ELB",
                   "Instances": [{"InstanceType": "c7i.large", "LifecycleState": "InService"}]}),
            json!({"LatestVersionNumber": 1, "DefaultVersionNumber": 1, "Versions": {"1": lt_data("c7i.large")}}),
            json!({"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}],
                   "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}),
            vec![
                (
                    "Prewarm",
                    Some(json!({"StartTime": "2027-01-01T10:00:00Z", "MinSize": 17})),
                ),
                (
                    "Release",
                    Some(json!({"StartTime": "2027-01-01T14:00:00Z", "MinSize": 4})),
                ),
            ],
            json!({"CacheNodeType": "cache.r7g.large", "NumNodeGroups": 1, "NodeGroups": [{"NodeGroupId": "0001", "Replicas": 1}], "TransitEncryptionEnabled": true}),
        )
    }

    fn before() -> DateTime<Utc> {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    fn run(l: &LiveStack, now: DateTime<Utc>) -> Vec<Finding> {
        let ctx = ctx_of(l, "s");
        compare("eu-west-1", &template(), &ctx, l, now).0
    }

    #[test]
    fn clean_stack_has_no_findings_and_lists_what_it_skips() {
        let l = clean();
        let ctx = ctx_of(&l, "s");
        let (f, nc) = compare("eu-west-1", &template(), &ctx, &l, before());
        assert!(f.is_empty(), "{f:#?}");
        assert_eq!(nc.len(), 1);
        assert_eq!(nc[0].logical_id, "SubnetA");
    }

    #[test]
    fn sizes_are_typed_and_desired_capacity_moves_freely_inside_the_range() {
        let mut l = clean();
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["MaxSize"] = json!(30);
            v["DesiredCapacity"] = json!(30);
        }
        let f = run(&l, before());
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            (f[0].path.as_str(), &f[0].expected, &f[0].actual),
            ("MaxSize", &json!(40), &json!(30))
        );
        assert_eq!(f[0].severity, Severity::Capacity);
        assert_eq!(f[0].repair, Repair::Record(json!(30)));
    }

    #[test]
    fn desired_outside_the_range_is_drift() {
        let mut l = clean();
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["MinSize"] = json!(1);
            v["DesiredCapacity"] = json!(2);
        }
        let f = run(&l, before());
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["MinSize", "DesiredCapacity"]);
        assert_eq!(f[1].expected, json!({"min": 4, "max": 40}));
    }

    #[test]
    fn during_a_prewarm_the_expected_min_is_the_prewarm_size() {
        let during: DateTime<Utc> = "2027-01-01T12:00:00Z".parse().unwrap();
        let mut l = clean();
        // The pre-warm ran: AWS deleted the one-time action and raised MinSize.
        l.reads.insert("Prewarm".into(), Read::Missing);
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["MinSize"] = json!(17);
            v["DesiredCapacity"] = json!(17);
        }
        assert!(run(&l, during).is_empty());
        // Lowered by hand mid-event: drift, not repairable by CloudFormation.
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["MinSize"] = json!(4);
        }
        let f = run(&l, during);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].expected, json!(17));
        assert!(matches!(f[0].repair, Repair::No(_)));
    }

    #[test]
    fn a_deleted_future_scheduled_action_is_dropped_and_recreated() {
        let mut l = clean();
        l.reads.insert("Prewarm".into(), Read::Missing);
        let f = run(&l, before());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].logical_id, "Prewarm");
        assert_eq!(f[0].repair, Repair::Drop);
    }

    #[test]
    fn a_rule_opened_to_the_world_shows_with_its_ports() {
        let mut l = clean();
        if let Some(Read::Found(v)) = l.reads.get_mut("Sg") {
            v["SecurityGroupIngress"].as_array_mut().unwrap().push(
                json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}),
            );
        }
        let f = run(&l, before());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Security);
        assert_eq!(f[0].expected, Value::Null);
        assert_eq!(
            f[0].actual,
            json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"})
        );
        assert_eq!(short(&f[0].actual), "tcp 22 0.0.0.0/0");
    }

    #[test]
    fn launch_template_latest_and_moved_default_are_checked() {
        let mut l = clean();
        l.reads.insert(
            "LaunchTemplate".into(),
            Read::Found(json!({"LatestVersionNumber": 2, "DefaultVersionNumber": 2,
                "Versions": {"1": lt_data("c7i.large"), "2": lt_data("c7i.xlarge")}})),
        );
        let f = run(&l, before());
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].path, "LaunchTemplateData.InstanceType");
        assert_eq!(
            (&f[0].expected, &f[0].actual),
            (&json!("c7i.large"), &json!("c7i.xlarge"))
        );
        // CloudFormation's own history: latest 3 with the plan's data, default left at 1.
        l.reads.insert(
            "LaunchTemplate".into(),
            Read::Found(json!({"LatestVersionNumber": 3, "DefaultVersionNumber": 1,
                "Versions": {"1": lt_data("c7i.xlarge"), "3": lt_data("c7i.large")}})),
        );
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["LaunchTemplate"]["Version"] = json!("3");
        }
        assert!(run(&l, before()).is_empty());
        // A group pinned to a version with other launch data is drift.
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["LaunchTemplate"]["Version"] = json!("1");
        }
        let f = run(&l, before());
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            (f[0].path.as_str(), &f[0].expected, &f[0].actual),
            ("LaunchTemplate.Version", &json!("3"), &json!("1"))
        );
        assert_eq!(f[0].repair, Repair::Mark("LaunchTemplate".into()));
    }

    #[test]
    fn cache_replicas_are_counted_per_node_group() {
        let mut l = clean();
        if let Some(Read::Found(v)) = l.reads.get_mut("Cache") {
            v["NodeGroups"] = json!([{"NodeGroupId": "0001", "Replicas": 0}]);
        }
        let f = run(&l, before());
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].path.as_str(), &f[0].expected, &f[0].actual),
            ("ReplicasPerNodeGroup", &json!(1), &json!(0))
        );
        assert!(matches!(f[0].repair, Repair::No(_)));
    }

    #[test]
    fn repair_records_then_the_plan_restores() {
        let mut l = clean();
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["MaxSize"] = json!(30);
        }
        l.reads.insert("Prewarm".into(), Read::Missing);
        let ctx = ctx_of(&l, "s");
        let p = plan_repair(&template(), &l, &ctx, before());
        let t = p.repair.expect("a repair");
        assert_eq!(
            t["Resources"]["AutoScalingGroup"]["Properties"]["MaxSize"],
            json!("30")
        );
        assert!(t["Resources"].get("Prewarm").is_none());
        assert_eq!(p.changes.len(), 2);
        // Once the drift is recorded in the deployed template, the normal
        // update does the rest: no second repair.
        l.deployed = t;
        let p = plan_repair(&template(), &l, &ctx, before());
        assert!(p.repair.is_none(), "{:?}", p.notes);
    }

    #[test]
    fn a_change_the_plan_makes_anyway_is_not_repaired() {
        let mut l = clean();
        if let Some(Read::Found(v)) = l.reads.get_mut("AutoScalingGroup") {
            v["MaxSize"] = json!(30);
        }
        let mut rendered = template();
        rendered["Resources"]["AutoScalingGroup"]["Properties"]["MaxSize"] = json!("50");
        let ctx = ctx_of(&l, "s");
        let p = plan_repair(&rendered, &l, &ctx, before());
        assert!(p.repair.is_none());
        assert_eq!(p.findings.len(), 1);
    }

    #[test]
    fn marks_go_inside_the_property_cloudformation_applies_as_a_whole() {
        let mut t = template();
        mark(&mut t, "LaunchTemplate", "abc");
        assert_eq!(
            t["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["TagSpecifications"]
                [0]["Tags"][0],
            json!({"Key": MARKER_KEY, "Value": "abc"})
        );
        mark(&mut t, "Sg", "abc");
        assert_eq!(
            t["Resources"]["Sg"]["Properties"]["SecurityGroupIngress"][0]["Description"],
            json!("HTTP (streamscale:repair abc)")
        );
    }

    #[test]
    fn paths_with_selectors() {
        let mut v = json!({"Attrs": [{"Key": "idle_timeout.timeout_seconds", "Value": "60"}], "A": {"B": 1}});
        assert_eq!(
            get(&v, "Attrs[idle_timeout.timeout_seconds]"),
            Some(&json!("60"))
        );
        assert!(set(
            &mut v,
            "Attrs[idle_timeout.timeout_seconds]",
            json!(30)
        ));
        assert_eq!(
            get(&v, "Attrs[idle_timeout.timeout_seconds]"),
            Some(&json!("30"))
        );
        assert_eq!(get(&v, "A.B"), Some(&json!(1)));
    }

    #[test]
    fn cloudformation_findings_only_for_unread_types() {
        let d = vec![
            read::ResourceDrift {
                logical_id: "VPC".into(),
                physical_id: Some("vpc-1".into()),
                resource_type: "AWS::EC2::VPC".into(),
                status: "MODIFIED".into(),
                differences: vec![(
                    "/EnableDnsSupport".into(),
                    Some("true".into()),
                    Some("false".into()),
                    "NOT_EQUAL".into(),
                )],
            },
            read::ResourceDrift {
                logical_id: "AutoScalingGroup".into(),
                physical_id: None,
                resource_type: "AWS::AutoScaling::AutoScalingGroup".into(),
                status: "MODIFIED".into(),
                differences: vec![],
            },
        ];
        let f = cloudformation_findings("r", &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source, "cloudformation");
        assert_eq!(
            (f[0].path.as_str(), &f[0].expected, &f[0].actual),
            ("EnableDnsSupport", &json!(true), &json!(false))
        );
    }
}
