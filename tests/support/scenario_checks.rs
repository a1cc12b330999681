//! The domain assertions of a [`Scenario`]: drift findings, planned changes
//! and the stacks as they run. Generic steps (commands, exit codes, output)
//! are in scenario.rs.

use serde_json::{Value, json};

use super::{FoundFinding, Scenario};

impl Scenario<'_> {
    // ----- drift assertions ---------------------------------------------

    fn regions_of(&self) -> serde_json::Map<String, Value> {
        let doc = self.json();
        doc["regions"]
            .as_object()
            .cloned()
            .unwrap_or_else(|| panic!("no regions: {}", self.last().describe()))
    }

    fn findings_in(&self, region: &str) -> Vec<Value> {
        self.json()["regions"][region]["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Drift exited 2 with exactly one finding in all regions: on
    /// `logical_id` at `path`, `expected` by the plan and `actual` live; its
    /// region is `drifted`, the one region drifted. Later steps compare
    /// against this finding.
    pub fn finds_one(
        mut self,
        logical_id: &str,
        path: &str,
        expected: impl Into<Value>,
        actual: impl Into<Value>,
    ) -> Self {
        self = self.exits(2);
        let doc = self.json();
        let all: Vec<(String, Value)> = self
            .regions_of()
            .into_iter()
            .flat_map(|(r, v)| {
                let findings = v["findings"].as_array().cloned().unwrap_or_default();
                findings.into_iter().map(move |f| (r.clone(), f))
            })
            .collect();
        let describe = self.last().describe();
        assert_eq!(all.len(), 1, "exactly one finding expected: {describe}");
        let (region, finding) = all[0].clone();
        assert_eq!(doc["regions"][&region]["status"], "drifted", "{describe}");
        assert_eq!(doc["summary"]["findings"], 1, "{describe}");
        assert_eq!(doc["summary"]["regions_drifted"], 1, "{describe}");
        let (expected, actual) = (expected.into(), actual.into());
        assert_eq!(
            (&finding["logical_id"], &finding["path"]),
            (&json!(logical_id), &json!(path)),
            "{describe}"
        );
        assert_eq!(finding["expected"], expected, "expected value: {describe}");
        assert_eq!(finding["actual"], actual, "actual value: {describe}");
        self.finding = Some(FoundFinding { region, finding });
        self
    }

    /// The finding is in `region` (the document's region and its own field).
    pub fn in_region(self, region: &str) -> Self {
        let found = self.found();
        assert_eq!(found.region, region, "{}", self.last().describe());
        assert_eq!(
            found.finding["region"],
            region,
            "{}",
            self.last().describe()
        );
        self
    }

    /// The finding has `severity`, and the summary counts it.
    pub fn with_severity(self, severity: &str) -> Self {
        let doc = self.json();
        assert_eq!(
            self.finding()["severity"],
            severity,
            "{}",
            self.last().describe()
        );
        assert_eq!(
            doc["summary"]["by_severity"][severity],
            1,
            "{}",
            self.last().describe()
        );
        self
    }

    /// The finding's note contains `text`.
    pub fn with_note(self, text: &str) -> Self {
        let note = self.finding()["note"].as_str().unwrap_or_default();
        assert!(
            note.contains(text),
            "note lacks {text:?}: {}",
            self.last().describe()
        );
        self
    }

    /// The finding names the physical id its stack has for its logical id.
    pub fn naming_its_physical_id(self) -> Self {
        let found = self.found();
        let logical_id = found.finding["logical_id"].as_str().unwrap_or_default();
        let live = self.aws().stack(&found.region).physical_id(logical_id);
        assert_eq!(
            found.finding["physical_id"],
            live,
            "{}",
            self.last().describe()
        );
        self
    }

    /// The finding's resource still has the physical id the finding named:
    /// repaired in place, not replaced.
    pub fn repaired_in_place(self) -> Self {
        let found = self.found();
        let logical_id = found.finding["logical_id"].as_str().unwrap_or_default();
        let now = self.aws().stack(&found.region).physical_id(logical_id);
        assert_eq!(
            found.finding["physical_id"], now,
            "{logical_id} was replaced"
        );
        self
    }

    /// Drift exited 2 and `region` has exactly these findings, in order,
    /// as (logical id, path).
    pub fn finds_in(self, region: &str, expected: &[(&str, &str)]) -> Self {
        let s = self.exits(2);
        let found: Vec<(String, String)> = s
            .findings_in(region)
            .iter()
            .map(|f| {
                let text = |key: &str| f[key].as_str().unwrap_or_default().to_string();
                (text("logical_id"), text("path"))
            })
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(id, path)| (id.to_string(), path.to_string()))
            .collect();
        assert_eq!(found, expected, "{}", s.last().describe());
        s
    }

    /// `region` has `status` (`clean`, `drifted`, `missing`, `error`).
    pub fn region_is(self, region: &str, status: &str) -> Self {
        assert_eq!(
            self.json()["regions"][region]["status"],
            status,
            "{region}: {}",
            self.last().describe()
        );
        self
    }

    /// `region` is clean, with no findings.
    pub fn region_is_clean(self, region: &str) -> Self {
        let s = self.region_is(region, "clean");
        assert_eq!(
            s.findings_in(region),
            Vec::<Value>::new(),
            "{}",
            s.last().describe()
        );
        s
    }

    /// Drift exited 2: the stack of `region` is missing, one capacity
    /// finding says so, and it is the one region drifted.
    pub fn finds_stack_missing_in(self, region: &str) -> Self {
        let s = self.exits(2).region_is(region, "missing");
        let describe = s.last().describe();
        let findings = s.findings_in(region);
        assert_eq!(findings.len(), 1, "{describe}");
        let f = &findings[0];
        assert_eq!(f["logical_id"], s.stack(), "{describe}");
        assert_eq!(
            f["resource_type"], "AWS::CloudFormation::Stack",
            "{describe}"
        );
        assert_eq!(
            (&f["expected"], &f["actual"]),
            (&json!("exists"), &json!("missing"))
        );
        assert_eq!(f["severity"], "capacity", "{describe}");
        assert_eq!(s.json()["summary"]["regions_drifted"], 1, "{describe}");
        s
    }

    // ----- plan assertions ----------------------------------------------

    fn planned_change(&self, region: &str, logical_id: &str) -> Value {
        self.json()["regions"][region]["changes"]
            .as_array()
            .and_then(|changes| changes.iter().find(|c| c["logical_id"] == logical_id))
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no change of {logical_id} in {region}: {}",
                    self.last().describe()
                )
            })
    }

    /// The plan's action for `region` (`create`, `update`, …).
    pub fn region_action_is(self, region: &str, action: &str) -> Self {
        assert_eq!(
            self.json()["regions"][region]["action"],
            action,
            "{region}: {}",
            self.last().describe()
        );
        self
    }

    /// The plan's action is `action` in every region of the plan.
    pub fn region_actions_are(self, action: &str) -> Self {
        self.plan
            .region_names()
            .iter()
            .fold(self, |s, r| s.region_action_is(r, action))
    }

    /// The plan's action for `logical_id` in `region` is `action`.
    pub fn resource_action_is(self, region: &str, logical_id: &str, action: &str) -> Self {
        let change = self.planned_change(region, logical_id);
        assert_eq!(change["action"], action, "{change:#}");
        self
    }

    fn planned_property(&self, region: &str, logical_id: &str, path: &str) -> (Value, Value) {
        let change = self.planned_change(region, logical_id);
        change["properties"]
            .as_array()
            .and_then(|props| props.iter().find(|p| p["path"] == path))
            .map(|p| (p["before"].clone(), p["after"].clone()))
            .unwrap_or_else(|| panic!("no change of {logical_id}.{path} in {region}: {change:#}"))
    }

    /// The plan changes `path` of `logical_id` in `region` (before ≠ after).
    pub fn changes(self, region: &str, logical_id: &str, path: &str) -> Self {
        let (before, after) = self.planned_property(region, logical_id, path);
        assert_ne!(before, after, "{logical_id}.{path} in {region}");
        self
    }

    /// The plan changes `path` of `logical_id` in `region` from `before` to
    /// `after`.
    pub fn changes_from_to(
        self,
        region: &str,
        logical_id: &str,
        path: &str,
        before: impl Into<Value>,
        after: impl Into<Value>,
    ) -> Self {
        let planned = self.planned_property(region, logical_id, path);
        assert_eq!(
            planned,
            (before.into(), after.into()),
            "{logical_id}.{path} in {region}"
        );
        self
    }

    /// The plan (exit 2) repairs the finding of `finds_one`: in its region
    /// (a stack update, or service API calls alone: `repair-only`), a
    /// change of `logical_id` whose drift path `path` goes from the
    /// finding's actual value back to its expected one, with a
    /// "drift repair" note.
    pub fn repairs(self, logical_id: &str, path: &str) -> Self {
        let s = self.exits(2);
        let found = s.found().clone();
        let region = found.region.as_str();
        let doc = s.json();
        let describe = s.last().describe();
        let action = doc["regions"][region]["action"]
            .as_str()
            .unwrap_or_default();
        assert!(["update", "repair-only"].contains(&action), "{describe}");
        let change = s.planned_change(region, logical_id);
        let drift_paths = [
            format!("{path} (drift)"),
            format!("{path} (drift, repaired through the service API)"),
        ];
        let repair = change["properties"]
            .as_array()
            .and_then(|props| {
                props.iter().find(|p| {
                    let p = p["path"].as_str().unwrap_or_default();
                    drift_paths.iter().any(|d| d == p)
                })
            })
            .unwrap_or_else(|| panic!("no drift repair of {path}: {change:#}"));
        assert_eq!(repair["before"], found.finding["actual"], "{repair:#}");
        assert_eq!(repair["after"], found.finding["expected"], "{repair:#}");
        let notes = doc["regions"][region]["notes"].to_string();
        assert!(notes.contains("drift repair"), "{notes}");
        s
    }

    /// The plan's notes for `region` mention `text`.
    pub fn notes_mention(self, region: &str, text: &str) -> Self {
        let notes = self.json()["regions"][region]["notes"].to_string();
        assert!(
            notes.contains(text),
            "notes lack {text:?}: {}",
            self.last().describe()
        );
        self
    }

    // ----- live-state assertions ----------------------------------------

    /// The stack in `region` has `status`.
    pub fn stack_is(self, region: &str, status: &str) -> Self {
        let live = self.aws().stack(region).status();
        assert_eq!(
            live.as_deref(),
            Some(status),
            "{} in {region}",
            self.stack()
        );
        self
    }

    /// The stack has `status` in every region of the plan.
    pub fn stacks_are(self, status: &str) -> Self {
        self.plan
            .region_names()
            .iter()
            .fold(self, |s, r| s.stack_is(r, status))
    }

    /// There is no stack in `region`.
    pub fn no_stack_in(self, region: &str) -> Self {
        let live = self.aws().stack(region).status();
        assert_eq!(live, None, "{} still exists in {region}", self.stack());
        self
    }

    /// There is no stack in any region of the plan.
    pub fn no_stacks(self) -> Self {
        self.plan
            .region_names()
            .iter()
            .fold(self, |s, r| s.no_stack_in(r))
    }
}
