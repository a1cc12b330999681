//! Drift rules as data: every folder of `tests/drift_cases/` (at the
//! repository root) is one rule, given as the template the plan wants and
//! the stack as it was observed; this runs the comparison, the repair
//! planner and (when the case has CloudFormation's drift results) the
//! detection fold-in, with no emulator, and snapshots what they say.
//!
//! The snapshot is the rule's specification: review it against the rule
//! that `tests/drift_cases/README.md` gives for the case. The format of a
//! case is described there too.
//!
//! A malformed case, a case the README does not describe, a README line
//! for a case that does not exist, a snapshot without a case, and a
//! missing or empty corpus all fail: nothing is skipped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use streamscale_core::diff::ResourceChange;
use streamscale_core::drift::detection::{ResourceDrift, cloudformation_findings};
use streamscale_core::drift::{self, Finding, FindingSource, NotChecked, Repair, Severity};
use streamscale_core::finding::ApiRepair;
use streamscale_core::observed::{ObservedStack, ResourceState};
use streamscale_core::repair::{RepairStep, plan_repair};
use streamscale_core::stack::{StackInfo, StackResource, StackStatus};
use streamscale_core::text::short;

/// The corpus folder.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/drift_cases")
}

/// The snapshots folder.
fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

const TEMPLATE: &str = "template.json";
const LIVE: &str = "live.json";
const CLOUDFORMATION: &str = "cloudformation.json";
const README: &str = "README.md";

// ---------------------------------------------------------------------------
// The case format (see tests/drift_cases/README.md).

/// `live.json`: the observed stack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LiveFile {
    region: String,
    stack_name: String,
    now: DateTime<Utc>,
    info: InfoFile,
    resources: Vec<ResourceFile>,
    /// The deployed template in full.
    #[serde(default)]
    deployed: Option<Value>,
    /// The deployed template as a JSON merge patch (RFC 7386) of
    /// `template.json`.
    #[serde(default)]
    deployed_patch: Option<Value>,
    states: BTreeMap<String, StateFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoFile {
    parameters: BTreeMap<String, String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    status_reason: Option<String>,
    #[serde(default)]
    last_updated: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    outputs: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceFile {
    logical_id: String,
    physical_id: Option<String>,
    resource_type: String,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum StateFile {
    Found(Value),
    Missing,
    ReadFailed(String),
}

/// One entry of `cloudformation.json` (DescribeStackResourceDrifts).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriftFile {
    logical_id: String,
    #[serde(default)]
    physical_id: Option<String>,
    resource_type: String,
    status: String,
    #[serde(default)]
    differences: Vec<DifferenceFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DifferenceFile {
    path: String,
    expected: Option<String>,
    actual: Option<String>,
    kind: String,
}

/// A case, loaded and checked.
struct Case {
    name: String,
    rule: String,
    template: Value,
    observed: ObservedStack,
    stack_name: String,
    now: DateTime<Utc>,
    cloudformation: Option<Vec<ResourceDrift>>,
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let v = read_json(path)?;
    serde_path_to_error::deserialize(v).map_err(|e| format!("{}: {e}", path.display()))
}

/// RFC 7386: `null` removes a member, an object merges, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("an object");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

fn check_template(t: &Value, what: &str) -> Result<(), String> {
    let resources = t["Resources"]
        .as_object()
        .ok_or_else(|| format!("{what}: no `Resources` object"))?;
    for (id, r) in resources {
        if !r["Type"].is_string() {
            return Err(format!("{what}: resource {id} has no `Type`"));
        }
    }
    Ok(())
}

/// Load and check one case folder.
fn load(dir: &Path, rules: &BTreeMap<String, String>) -> Result<Case, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("a case folder name is not UTF-8")?
        .to_string();
    let rule = rules
        .get(&name)
        .cloned()
        .ok_or_else(|| format!("{name}: no line in {README} describes this case"))?;
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{name}: {e}"))? {
        let entry = entry.map_err(|e| format!("{name}: {e}"))?;
        let file = entry.file_name().to_string_lossy().into_owned();
        if ![TEMPLATE, LIVE, CLOUDFORMATION].contains(&file.as_str()) {
            return Err(format!("{name}: unexpected file {file}"));
        }
    }
    let template = read_json(&dir.join(TEMPLATE))?;
    check_template(&template, &format!("{name}/{TEMPLATE}"))?;
    let live: LiveFile = parse(&dir.join(LIVE))?;
    let deployed = match (live.deployed, live.deployed_patch) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{name}/{LIVE}: give `deployed` or `deployed_patch`, not both"
            ));
        }
        (Some(d), None) => d,
        (None, Some(p)) => {
            let mut d = template.clone();
            merge_patch(&mut d, &p);
            d
        }
        (None, None) => template.clone(),
    };
    check_template(&deployed, &format!("{name}/{LIVE} deployed"))?;
    let mut seen = BTreeSet::new();
    for r in &live.resources {
        if !seen.insert(r.logical_id.as_str()) {
            return Err(format!(
                "{name}/{LIVE}: resource {} is listed twice",
                r.logical_id
            ));
        }
    }
    for l in live.states.keys() {
        if !seen.contains(l.as_str()) {
            return Err(format!(
                "{name}/{LIVE}: a state for {l}, which is not in `resources`"
            ));
        }
    }
    let info = StackInfo {
        id: live.info.id.unwrap_or_else(|| {
            format!(
                "arn:aws:cloudformation:{}:123456789012:stack/{}/fixture",
                live.region, live.stack_name
            )
        }),
        status: StackStatus::new(live.info.status.as_deref().unwrap_or("UPDATE_COMPLETE")),
        status_reason: live.info.status_reason,
        last_updated: live.info.last_updated,
        created: live.info.created,
        parameters: live.info.parameters,
        tags: live.info.tags,
        outputs: live.info.outputs,
    };
    let observed = ObservedStack {
        region: live.region,
        info,
        resources: live
            .resources
            .into_iter()
            .map(|r| StackResource {
                logical_id: r.logical_id,
                physical_id: r.physical_id,
                resource_type: r.resource_type,
                status: r.status.unwrap_or_else(|| "CREATE_COMPLETE".into()),
            })
            .collect(),
        deployed,
        states: live
            .states
            .into_iter()
            .map(|(l, s)| {
                let s = match s {
                    StateFile::Found(v) => ResourceState::Found(v),
                    StateFile::Missing => ResourceState::Missing,
                    StateFile::ReadFailed(m) => ResourceState::ReadFailed(m),
                };
                (l, s)
            })
            .collect(),
    };
    let cf_path = dir.join(CLOUDFORMATION);
    let cloudformation = if cf_path.exists() {
        let drifts: Vec<DriftFile> = parse(&cf_path)?;
        Some(
            drifts
                .into_iter()
                .map(|d| ResourceDrift {
                    logical_id: d.logical_id,
                    physical_id: d.physical_id,
                    resource_type: d.resource_type,
                    status: d.status,
                    differences: d
                        .differences
                        .into_iter()
                        .map(|x| (x.path, x.expected, x.actual, x.kind))
                        .collect(),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Case {
        name,
        rule,
        template,
        observed,
        stack_name: live.stack_name,
        now: live.now,
        cloudformation,
    })
}

/// The rule of every case, from the README's lines "- `case`: rule".
fn rules() -> BTreeMap<String, String> {
    let path = corpus_dir().join(README);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (every case is described there)", path.display()));
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("- `") else {
            continue;
        };
        let Some((name, rule)) = rest.split_once("`: ") else {
            continue;
        };
        let rule = rule.trim().to_string();
        assert!(!rule.is_empty(), "{README}: case {name} has no rule");
        assert!(
            out.insert(name.to_string(), rule).is_none(),
            "{README}: case {name} is described twice"
        );
    }
    out
}

/// Every case folder, sorted; fails on a missing or empty corpus.
fn case_dirs() -> Vec<PathBuf> {
    let dir = corpus_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the drift corpus {} is missing: {e}", dir.display()));
    let mut dirs = Vec::new();
    for e in entries {
        let path = e.expect("a corpus entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            dirs.push(path);
        } else {
            assert_eq!(
                name,
                README,
                "{}: only case folders and {README} belong in the corpus",
                path.display()
            );
        }
    }
    dirs.sort();
    assert!(
        !dirs.is_empty(),
        "the drift corpus {} has no case",
        dir.display()
    );
    dirs
}

// ---------------------------------------------------------------------------
// What a snapshot shows.

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum RepairView {
    Record(Value),
    Mark(String),
    Drop,
    DefaultVersion(String),
    Api(ApiRepair),
    No(String),
}

impl From<&Repair> for RepairView {
    fn from(r: &Repair) -> Self {
        match r {
            Repair::Record(v) => RepairView::Record(v.clone()),
            Repair::Mark(t) => RepairView::Mark(t.clone()),
            Repair::Drop => RepairView::Drop,
            Repair::DefaultVersion(t) => RepairView::DefaultVersion(t.clone()),
            Repair::Api(call) => RepairView::Api(call.clone()),
            Repair::No(why) => RepairView::No(why.clone()),
        }
    }
}

#[derive(Serialize)]
struct FindingView {
    logical_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_id: Option<String>,
    resource_type: String,
    path: String,
    expected: Value,
    actual: Value,
    /// How a report shows the values (`text::short`): expected → actual.
    shown: String,
    severity: Severity,
    source: FindingSource,
    repair: RepairView,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        FindingView {
            logical_id: f.logical_id.clone(),
            physical_id: f.physical_id.clone(),
            resource_type: f.resource_type.clone(),
            path: f.path.clone(),
            expected: f.expected.clone(),
            actual: f.actual.clone(),
            shown: format!("{} → {}", short(&f.expected), short(&f.actual)),
            severity: f.severity,
            source: f.source,
            repair: (&f.repair).into(),
            note: f.note.clone(),
        }
    }
}

/// One difference of the repair template from the deployed template.
#[derive(Serialize)]
struct Edit {
    /// JSON pointer.
    at: String,
    /// The deployed value (absent: added by the repair).
    #[serde(skip_serializing_if = "Option::is_none")]
    deployed: Option<Value>,
    /// The repair template's value (absent: removed by the repair).
    #[serde(skip_serializing_if = "Option::is_none")]
    repair: Option<Value>,
}

fn pointer_token(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// The differences of `b` from `a`, leaf by leaf.
fn edits(at: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<Edit>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                edits(
                    &format!("{at}/{}", pointer_token(k)),
                    x.get(k),
                    y.get(k),
                    out,
                );
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                edits(&format!("{at}/{i}"), Some(p), Some(q), out);
            }
        }
        (a, b) if a != b => out.push(Edit {
            at: at.to_string(),
            deployed: a.cloned(),
            repair: b.cloned(),
        }),
        _ => {}
    }
}

#[derive(Serialize)]
struct RepairPlanView {
    steps: Vec<RepairStep>,
    changes: Vec<ResourceChange>,
    notes: Vec<String>,
    /// The repair template as edits of the deployed template; `None`:
    /// nothing to repair.
    repair_template: Option<Vec<Edit>>,
    /// The repair planned again once the first update ran (the deployed
    /// template is the repair template, dropped resources are out of the
    /// stack): its steps, which must be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    steps_after_record_live: Option<Vec<RepairStep>>,
}

#[derive(Serialize)]
struct Snapshot {
    findings: Vec<FindingView>,
    not_checked: Vec<NotChecked>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloudformation_findings: Option<Vec<FindingView>>,
    repair: RepairPlanView,
}

fn run(case: &Case) -> Snapshot {
    let references = case.observed.references(&case.stack_name);
    let (findings, not_checked) =
        drift::compare(&case.template, &references, &case.observed, case.now);
    let plan = plan_repair(&case.template, &case.observed, &references, case.now);
    let keys = |f: &[Finding]| f.iter().map(|f| f.key.clone()).collect::<Vec<_>>();
    assert_eq!(
        keys(&plan.findings),
        keys(&findings),
        "{}: the repair plan's findings are the comparison's",
        case.name
    );
    let steps_after_record_live = plan.repair_template.as_ref().map(|t| {
        let mut after = case.observed.clone();
        after.deployed = t.clone();
        after
            .resources
            .retain(|r| t["Resources"].get(&r.logical_id).is_some());
        let references = after.references(&case.stack_name);
        plan_repair(&case.template, &after, &references, case.now).steps
    });
    let repair_template = plan.repair_template.as_ref().map(|t| {
        let mut out = Vec::new();
        edits("", Some(&case.observed.deployed), Some(t), &mut out);
        out
    });
    let cloudformation_findings = case.cloudformation.as_ref().map(|d| {
        cloudformation_findings(&case.observed.region, d)
            .iter()
            .map(FindingView::from)
            .collect()
    });
    Snapshot {
        findings: findings.iter().map(FindingView::from).collect(),
        not_checked,
        cloudformation_findings,
        repair: RepairPlanView {
            steps: plan.steps,
            changes: plan.changes,
            notes: plan.notes,
            repair_template,
            steps_after_record_live,
        },
    }
}

// ---------------------------------------------------------------------------

#[test]
fn corpus_is_well_formed() {
    let rules = rules();
    let dirs = case_dirs();
    let names: BTreeSet<String> = dirs
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut errors: Vec<String> = dirs.iter().filter_map(|d| load(d, &rules).err()).collect();
    for name in rules.keys() {
        if !names.contains(name) {
            errors.push(format!("{README} describes {name}, which has no folder"));
        }
    }
    if let Ok(entries) = std::fs::read_dir(snapshots_dir()) {
        for e in entries {
            let file = e.unwrap().file_name().to_string_lossy().into_owned();
            let Some(case) = file
                .strip_prefix("drift_cases__")
                .and_then(|f| f.strip_suffix(".snap").or(f.strip_suffix(".snap.new")))
            else {
                continue;
            };
            if !names.contains(case) {
                errors.push(format!("snapshot {file} has no case folder"));
            }
        }
    }
    assert!(
        errors.is_empty(),
        "malformed drift cases:\n{}",
        errors.join("\n")
    );
}

#[test]
fn drift_cases() {
    let rules = rules();
    let expected = case_dirs().len();
    let mut ran = 0;
    insta::glob!("../../../tests/drift_cases", "*/live.json", |path| {
        let dir = path.parent().expect("a case folder");
        let case = load(dir, &rules).unwrap_or_else(|e| panic!("malformed drift case: {e}"));
        let snapshot = run(&case);
        let mut settings = insta::Settings::clone_current();
        settings.remove_snapshot_suffix();
        settings.set_input_file(dir.join(TEMPLATE));
        settings.set_description(case.rule.clone());
        settings.set_omit_expression(true);
        settings.set_snapshot_path(snapshots_dir());
        settings.bind(|| insta::assert_yaml_snapshot!(case.name.as_str(), snapshot));
        ran += 1;
    });
    assert_eq!(ran, expected, "every case folder has a {LIVE}");
}
