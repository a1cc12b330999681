//! Least-privilege IAM for streamscale itself: the policy each command
//! needs, computed from the plan (its regions, its stack name) and the
//! rendered templates (the resource types CloudFormation creates, reads,
//! updates and deletes with the caller's credentials). Pure: the caller
//! writes or prints the document (docs/iam.md).
//!
//! Two sources, both data:
//! - [`CALLS`]: every AWS operation the engine makes itself (`src/aws/`),
//!   with the IAM action it needs, whether it can be scoped to the stack's
//!   ARN, and the commands that make it. `tests/iam.rs` checks that every
//!   operation named in `src/aws/` is listed here.
//! - `data/iam-cloudformation-handlers.json` (scripts/gen-iam-permissions):
//!   the permissions CloudFormation's resource handlers need, per type and
//!   operation, from the registry schemas. Without a service role,
//!   CloudFormation acts with the caller's credentials, so `apply` and
//!   `destroy` need them; drift detection runs the read handlers.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::plan::Plan;
use crate::render::Rendered;
use crate::resources::{ListCall, LiveRead, ReadCall, lookup};

const HANDLERS: &str = include_str!("../../../data/iam-cloudformation-handlers.json");

/// A command whose policy is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Command {
    /// `validate`: no AWS call.
    Validate,
    /// `render`: no AWS call.
    Render,
    /// `plan` (and `plan --out`).
    Plan,
    /// `apply` (a plan, or a saved plan).
    Apply,
    /// `destroy`.
    Destroy,
    /// `drift` (with CloudFormation's drift detection).
    Drift,
    /// `outputs`.
    Outputs,
    /// `report --live` (`report` alone makes no AWS call).
    Report,
}

impl Command {
    /// Every command, in the order docs/iam.md lists them.
    pub const ALL: [Command; 8] = [
        Command::Validate,
        Command::Render,
        Command::Plan,
        Command::Apply,
        Command::Destroy,
        Command::Drift,
        Command::Outputs,
        Command::Report,
    ];

    /// The command's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Command::Validate => "validate",
            Command::Render => "render",
            Command::Plan => "plan",
            Command::Apply => "apply",
            Command::Destroy => "destroy",
            Command::Drift => "drift",
            Command::Outputs => "outputs",
            Command::Report => "report",
        }
    }

    /// The command called `name`.
    pub fn parse(name: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Where an action may be scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The plan's stack (and its change sets): the action supports
    /// CloudFormation's `stack` / `changeSet` resource types.
    Stack,
    /// The template bucket (`s3:::BUCKET`).
    Bucket,
    /// The template objects (`s3:::BUCKET/STACK/*`).
    Objects,
    /// No resource-level permissions (Describe*, List*): `*`, limited to
    /// the plan's regions.
    Regional,
    /// Not a regional call (`sts:GetCallerIdentity`): `*`.
    Global,
}

/// One operation the engine makes itself.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// The API operation (as the adapter names it in its errors).
    pub operation: &'static str,
    /// The IAM action it needs.
    pub action: &'static str,
    /// What it can be scoped to.
    pub scope: Scope,
    /// The commands that make it.
    pub commands: &'static [Command],
    /// Where and why (docs/iam.md shows it).
    pub why: &'static str,
}

use Command::{Apply, Destroy, Drift, Outputs, Plan as P, Report};

/// Every AWS operation the engine makes, outside the registry's live reads
/// (those come from [`read_actions`]).
pub const CALLS: &[Call] = &[
    Call {
        operation: "GetCallerIdentity",
        action: "sts:GetCallerIdentity",
        scope: Scope::Global,
        commands: &[P, Apply],
        why: "the account id, for the default template bucket's name (always allowed by AWS)",
    },
    Call {
        operation: "DescribeStacks",
        action: "cloudformation:DescribeStacks",
        scope: Scope::Stack,
        commands: &[P, Apply, Destroy, Drift, Outputs, Report],
        why: "the stack's status, parameters, tags and outputs",
    },
    Call {
        operation: "GetTemplate",
        action: "cloudformation:GetTemplate",
        scope: Scope::Stack,
        commands: &[P, Apply, Destroy, Drift, Report],
        why: "the deployed template, compared with the rendered one (destroy: its deletion protection)",
    },
    Call {
        operation: "ListStackResources",
        action: "cloudformation:ListStackResources",
        scope: Scope::Stack,
        commands: &[P, Apply, Destroy, Drift, Report],
        why: "the physical ids of the stack's resources, read live",
    },
    Call {
        operation: "DescribeStackEvents",
        action: "cloudformation:DescribeStackEvents",
        scope: Scope::Stack,
        commands: &[Apply, Destroy],
        why: "progress and the reason of a failure while a stack operation runs",
    },
    Call {
        operation: "ListChangeSets",
        action: "cloudformation:ListChangeSets",
        scope: Scope::Stack,
        commands: &[P, Apply],
        why: "an earlier plan's change set of the same name is replaced",
    },
    Call {
        operation: "CreateChangeSet",
        action: "cloudformation:CreateChangeSet",
        scope: Scope::Stack,
        commands: &[P, Apply],
        why: "what an update changes (plan), the update itself (apply)",
    },
    Call {
        operation: "DescribeChangeSet",
        action: "cloudformation:DescribeChangeSet",
        scope: Scope::Stack,
        commands: &[P, Apply],
        why: "the change set's state and changes",
    },
    Call {
        operation: "DeleteChangeSet",
        action: "cloudformation:DeleteChangeSet",
        scope: Scope::Stack,
        commands: &[P, Apply],
        why: "a change set without changes, or one plan does not keep",
    },
    Call {
        operation: "ExecuteChangeSet",
        action: "cloudformation:ExecuteChangeSet",
        scope: Scope::Stack,
        commands: &[Apply],
        why: "apply an update",
    },
    Call {
        operation: "CreateStack",
        action: "cloudformation:CreateStack",
        scope: Scope::Stack,
        commands: &[Apply],
        why: "a region's first apply",
    },
    Call {
        operation: "DeleteStack",
        action: "cloudformation:DeleteStack",
        scope: Scope::Stack,
        commands: &[Apply, Destroy],
        why: "destroy; apply deletes a stack whose creation failed before it retries",
    },
    Call {
        operation: "DetectStackDrift",
        action: "cloudformation:DetectStackDrift",
        scope: Scope::Stack,
        commands: &[Drift],
        why: "CloudFormation's own drift detection, for the types streamscale does not read",
    },
    Call {
        operation: "DescribeStackDriftDetectionStatus",
        action: "cloudformation:DescribeStackDriftDetectionStatus",
        scope: Scope::Regional,
        commands: &[Drift],
        why: "waits for the detection (the action has no resource type)",
    },
    Call {
        operation: "DescribeStackResourceDrifts",
        action: "cloudformation:DescribeStackResourceDrifts",
        scope: Scope::Stack,
        commands: &[Drift],
        why: "the detection's per-resource differences",
    },
    Call {
        operation: "HeadBucket",
        action: "s3:ListBucket",
        scope: Scope::Bucket,
        commands: &[P, Apply],
        why: "whether the template bucket exists (templates over 51,200 bytes go through S3)",
    },
    Call {
        operation: "CreateBucket",
        action: "s3:CreateBucket",
        scope: Scope::Bucket,
        commands: &[P, Apply],
        why: "the template bucket, the first time a template is too large to send inline",
    },
    Call {
        operation: "PutObject",
        action: "s3:PutObject",
        scope: Scope::Objects,
        commands: &[P, Apply],
        why: "upload a large template",
    },
    Call {
        operation: "GetObject",
        action: "s3:GetObject",
        scope: Scope::Objects,
        commands: &[P, Apply],
        why: "CloudFormation reads a TemplateURL with the caller's credentials",
    },
    Call {
        operation: "DescribeImages",
        action: "ec2:DescribeImages",
        scope: Scope::Regional,
        commands: &[P, Apply],
        why: "an AMI the region lacks (or a deprecated one) is refused before the change set",
    },
    Call {
        operation: "GetServiceQuota",
        action: "servicequotas:GetServiceQuota",
        scope: Scope::Regional,
        commands: &[Report],
        why: "the vCPU quota (L-1216C47A) of each region",
    },
    Call {
        operation: "RevokeSecurityGroupIngress",
        action: "ec2:RevokeSecurityGroupIngress",
        scope: Scope::Regional,
        commands: &[Apply],
        why: "a rule opened by hand is revoked (CloudFormation never sees it)",
    },
    Call {
        operation: "RevokeSecurityGroupEgress",
        action: "ec2:RevokeSecurityGroupEgress",
        scope: Scope::Regional,
        commands: &[Apply],
        why: "an egress rule added by hand is revoked",
    },
    Call {
        operation: "ModifyLaunchTemplate",
        action: "ec2:ModifyLaunchTemplate",
        scope: Scope::Regional,
        commands: &[Apply],
        why: "a launch template's default version set back to the plan's",
    },
    Call {
        operation: "DescribeLoadBalancers",
        action: "elasticloadbalancing:DescribeLoadBalancers",
        scope: Scope::Regional,
        commands: &[Destroy],
        why: "destroy reads the stack's load balancers before it deletes anything",
    },
    Call {
        operation: "DescribeLoadBalancerAttributes",
        action: "elasticloadbalancing:DescribeLoadBalancerAttributes",
        scope: Scope::Regional,
        commands: &[Destroy],
        why: "destroy checks deletion protection before it deletes anything",
    },
    Call {
        operation: "DescribeDBClusters",
        action: "rds:DescribeDBClusters",
        scope: Scope::Regional,
        commands: &[Destroy],
        why: "destroy checks the DocumentDB cluster's deletion protection",
    },
];

/// The IAM actions of one live read (`src/aws/reads.rs`).
pub fn read_actions(call: ReadCall) -> &'static [&'static str] {
    match call {
        ReadCall::AutoScalingGroup => &["autoscaling:DescribeAutoScalingGroups"],
        ReadCall::LaunchTemplate => &[
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
        ],
        ReadCall::SecurityGroup => &["ec2:DescribeSecurityGroups"],
        ReadCall::LoadBalancer => &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
        ],
        ReadCall::TargetGroup => &[
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
        ],
        ReadCall::ReplicationGroup => &["elasticache:DescribeReplicationGroups"],
        ReadCall::PrefixList => &[
            "ec2:DescribeManagedPrefixLists",
            "ec2:GetManagedPrefixListEntries",
        ],
        // DocumentDB's API is authorised under the rds: prefix.
        ReadCall::DocDbCluster => &["rds:DescribeDBClusters"],
        ReadCall::DocDbInstance => &["rds:DescribeDBInstances"],
        ReadCall::OpenSearchDomain => &["es:DescribeDomain"],
        ReadCall::EksCluster => &["eks:DescribeCluster"],
        ReadCall::EksAccessEntry => &["eks:DescribeAccessEntry"],
        ReadCall::ApsWorkspace => &["aps:DescribeWorkspace", "aps:DescribeLoggingConfiguration"],
        ReadCall::ApsRuleGroupsNamespace => &["aps:DescribeRuleGroupsNamespace"],
    }
}

/// The IAM actions of one list read.
pub fn list_actions(call: ListCall) -> &'static [&'static str] {
    match call {
        ListCall::ScalingPolicies => &["autoscaling:DescribePolicies"],
        ListCall::ScheduledActions => &["autoscaling:DescribeScheduledActions"],
        ListCall::Listeners => &["elasticloadbalancing:DescribeListeners"],
    }
}

/// Errors of the policy computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamError {
    /// A rendered type whose handler permissions are unknown.
    #[error(
        "no CloudFormation handler permissions are known for {0}: run scripts/gen-iam-permissions"
    )]
    UnknownType(String),
}

/// How CloudFormation acts on the resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handlers {
    /// With the caller's credentials: the policy holds the handlers'
    /// permissions.
    Caller,
    /// With a CloudFormation service role (this ARN): the policy holds
    /// `iam:PassRole` on it; the role holds the handlers' permissions
    /// ([`service_role_policy`]).
    ServiceRole(String),
}

/// The options of a policy.
#[derive(Debug, Clone)]
pub struct Options {
    /// The account id (`*` when unknown).
    pub account: String,
    /// The partition (`aws`).
    pub partition: String,
    /// How CloudFormation acts.
    pub handlers: Handlers,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            account: "*".into(),
            partition: "aws".into(),
            handlers: Handlers::Caller,
        }
    }
}

/// The resource types of every rendered stack.
pub fn rendered_types(rendered: &Rendered) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for s in &rendered.stacks {
        let t = s.template_value();
        if let Some(res) = t["Resources"].as_object() {
            for r in res.values() {
                if let Some(ty) = r["Type"].as_str() {
                    types.insert(ty.to_string());
                }
            }
        }
    }
    types
}

/// A real IAM action (the registry schemas also list a few pseudo
/// actions such as `s3:REST.PUT.OBJECT`, which IAM has no use for).
/// The service prefix is case-insensitive in IAM (a schema writes
/// `EC2:CreateManagedPrefixList`); see [`normal_action`].
fn is_action(a: &str) -> bool {
    a.split_once(':').is_some_and(|(svc, name)| {
        !svc.is_empty()
            && svc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
    })
}

/// An action with its service prefix in lower case, as IAM documents it.
fn normal_action(a: &str) -> String {
    match a.split_once(':') {
        Some((svc, name)) => format!("{}:{name}", svc.to_ascii_lowercase()),
        None => a.to_string(),
    }
}

/// The handler permissions of `types` for `ops` (create, read, update, delete).
pub fn handler_actions(
    types: &BTreeSet<String>,
    ops: &[&str],
) -> Result<BTreeSet<String>, IamError> {
    let doc: Value = serde_json::from_str(HANDLERS).unwrap_or(Value::Null);
    let mut out = BTreeSet::new();
    for t in types {
        let Some(h) = doc["types"].get(t) else {
            return Err(IamError::UnknownType(t.clone()));
        };
        for op in ops {
            for a in h[*op].as_array().into_iter().flatten() {
                if let Some(a) = a.as_str().filter(|a| is_action(a)) {
                    out.insert(normal_action(a));
                }
            }
        }
    }
    Ok(out)
}

/// The live reads of the rendered types (the registry's `read`).
fn live_read_actions(types: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in types {
        let Some(ty) = lookup(t) else { continue };
        let actions = match ty.read {
            LiveRead::NotRead(_) => &[][..],
            LiveRead::ById(call) => read_actions(call),
            LiveRead::InParentList { call, .. } => list_actions(call),
        };
        out.extend(actions.iter().map(|a| a.to_string()));
    }
    out
}

/// The handler operations CloudFormation runs for a command.
fn handler_ops(command: Command) -> &'static [&'static str] {
    match command {
        // A create, an update that adds, changes or removes resources, a
        // rollback, and the stack delete after a failed create.
        Command::Apply => &["create", "read", "update", "delete"],
        Command::Destroy => &["read", "delete"],
        // DetectStackDrift runs each resource's read handler.
        Command::Drift => &["read"],
        _ => &[],
    }
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Its id.
    pub sid: &'static str,
    /// The actions, sorted.
    pub actions: BTreeSet<String>,
    /// The resources.
    pub resources: Vec<String>,
    /// Limited to the plan's regions (`aws:RequestedRegion`).
    pub regional: bool,
}

/// A computed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The command.
    pub command: Command,
    /// The plan's regions.
    pub regions: Vec<String>,
    /// Its statements (none for `validate` and `render`).
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Every action, sorted.
    pub fn actions(&self) -> BTreeSet<String> {
        self.statements
            .iter()
            .flat_map(|s| s.actions.iter().cloned())
            .collect()
    }

    /// The IAM policy document (`Version` 2012-10-17). An empty statement
    /// list is not a valid policy: a command without AWS calls has `None`.
    pub fn document(&self) -> Option<Value> {
        if self.statements.is_empty() {
            return None;
        }
        let statements: Vec<Value> = self
            .statements
            .iter()
            .map(|s| {
                let mut v = json!({
                    "Sid": s.sid,
                    "Effect": "Allow",
                    "Action": s.actions.iter().collect::<Vec<_>>(),
                    "Resource": if s.resources.len() == 1 { json!(s.resources[0]) } else { json!(s.resources) },
                });
                if s.regional {
                    v["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": self.regions}});
                }
                v
            })
            .collect();
        Some(json!({"Version": "2012-10-17", "Statement": statements}))
    }
}

/// The policy `command` needs for this plan.
pub fn policy(
    plan: &Plan,
    rendered: &Rendered,
    command: Command,
    options: &Options,
) -> Result<Policy, IamError> {
    let regions: Vec<String> = plan.regions.iter().map(|r| r.name.clone()).collect();
    let mut policy = Policy {
        command,
        regions,
        statements: Vec::new(),
    };
    if matches!(command, Command::Validate | Command::Render) {
        return Ok(policy);
    }
    let types = rendered_types(rendered);
    let (acct, part) = (&options.account, &options.partition);
    let stack = plan.stack_name();
    let mut by_scope: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for c in CALLS.iter().filter(|c| c.commands.contains(&command)) {
        let key = match c.scope {
            Scope::Stack => "Stack",
            Scope::Bucket => "TemplateBucket",
            Scope::Objects => "TemplateObjects",
            Scope::Regional => "Regional",
            Scope::Global => "Global",
        };
        by_scope.entry(key).or_default().insert(c.action.into());
    }
    if matches!(
        command,
        Command::Plan | Command::Apply | Command::Drift | Command::Report
    ) {
        by_scope
            .entry("Regional")
            .or_default()
            .extend(live_read_actions(&types));
    }
    let ops = handler_ops(command);
    if !ops.is_empty() {
        match &options.handlers {
            Handlers::Caller => {
                // Not deduplicated against the scoped statements: the
                // handlers act on other resources (s3:CreateBucket of the
                // access-log bucket, not of the template bucket).
                let handlers = handler_actions(&types, ops)?;
                if !handlers.is_empty() {
                    policy.statements.push(Statement {
                        sid: "CloudFormationHandlers",
                        actions: handlers,
                        resources: vec!["*".into()],
                        regional: true,
                    });
                }
            }
            Handlers::ServiceRole(role) => {
                if matches!(command, Command::Apply | Command::Destroy) {
                    policy.statements.push(Statement {
                        sid: "PassServiceRole",
                        actions: ["iam:PassRole".to_string()].into(),
                        resources: vec![role.clone()],
                        regional: false,
                    });
                } else {
                    // Drift detection runs the read handlers with the
                    // caller's credentials even when the stack has a role.
                    let handlers = handler_actions(&types, ops)?;
                    policy.statements.push(Statement {
                        sid: "CloudFormationHandlers",
                        actions: handlers,
                        resources: vec!["*".into()],
                        regional: true,
                    });
                }
            }
        }
    }
    let bucket = plan
        .template_bucket
        .clone()
        .unwrap_or_else(|| format!("streamscale-templates-{acct}-*"));
    for (key, actions) in by_scope {
        let (sid, resources, regional) = match key {
            "Stack" => (
                "Stack",
                vec![
                    format!("arn:{part}:cloudformation:*:{acct}:stack/{stack}/*"),
                    format!("arn:{part}:cloudformation:*:{acct}:changeSet/streamscale-*/*"),
                ],
                true,
            ),
            "TemplateBucket" => (
                "TemplateBucket",
                vec![format!("arn:{part}:s3:::{bucket}")],
                true,
            ),
            "TemplateObjects" => (
                "TemplateObjects",
                vec![format!("arn:{part}:s3:::{bucket}/{stack}/*")],
                true,
            ),
            "Regional" => ("ReadAndRepair", vec!["*".into()], true),
            _ => ("Identity", vec!["*".into()], false),
        };
        policy.statements.push(Statement {
            sid,
            actions,
            resources,
            regional,
        });
    }
    policy.statements.sort_by_key(|s| order(s.sid));
    Ok(policy)
}

fn order(sid: &str) -> usize {
    [
        "Stack",
        "TemplateBucket",
        "TemplateObjects",
        "ReadAndRepair",
        "Identity",
        "PassServiceRole",
        "CloudFormationHandlers",
    ]
    .iter()
    .position(|s| *s == sid)
    .unwrap_or(usize::MAX)
}

/// The policy of a CloudFormation service role for this plan: the
/// handlers' permissions (create, read, update, delete) of every rendered
/// type, in the plan's regions. Its trust policy names
/// `cloudformation.amazonaws.com` (docs/iam.md).
pub fn service_role_policy(plan: &Plan, rendered: &Rendered) -> Result<Value, IamError> {
    let types = rendered_types(rendered);
    let actions = handler_actions(&types, &["create", "read", "update", "delete"])?;
    let regions: Vec<String> = plan.regions.iter().map(|r| r.name.clone()).collect();
    Ok(json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudFormationHandlers",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": regions}},
        }],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_actions_are_not_actions() {
        assert!(is_action("ec2:DescribeImages"));
        assert!(is_action("autoscaling:Describe*"));
        assert!(is_action("managed-fleets:Get*"));
        assert!(!is_action("s3:REST.PUT.OBJECT"));
        assert!(!is_action("nocolon"));
        assert!(is_action("EC2:CreateManagedPrefixList"));
        assert_eq!(
            normal_action("EC2:CreateManagedPrefixList"),
            "ec2:CreateManagedPrefixList"
        );
    }

    #[test]
    fn every_registry_read_has_actions() {
        for t in crate::resources::REGISTRY {
            let actions = match t.read {
                LiveRead::NotRead(_) => continue,
                LiveRead::ById(c) => read_actions(c),
                LiveRead::InParentList { call, .. } => list_actions(call),
            };
            assert!(!actions.is_empty(), "{}", t.name);
            assert!(actions.iter().all(|a| is_action(a)), "{}", t.name);
        }
    }

    #[test]
    fn every_registry_type_has_handler_permissions() {
        let types: BTreeSet<String> = crate::resources::REGISTRY
            .iter()
            .map(|t| t.name.to_string())
            .filter(|t| t != "AWS::CloudFormation::Stack")
            .collect();
        let a = handler_actions(&types, &["create", "delete"]).expect("known");
        assert!(a.contains("ec2:CreateVpc"), "{a:?}");
        assert!(handler_actions(&["AWS::Made::Up".to_string()].into(), &["create"]).is_err());
    }

    #[test]
    fn commands_round_trip() {
        for c in Command::ALL {
            assert_eq!(Command::parse(c.name()), Some(c));
        }
        assert_eq!(Command::parse("nope"), None);
    }
}
