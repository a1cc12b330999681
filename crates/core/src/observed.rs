//! What runs in one region, as the engine read it: the stack, its
//! resources, the deployed template and the live state of each resource
//! streamscale reads. Plain data: the drift comparison and the repair
//! planner take it as input.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::stack::{StackInfo, StackResource};
use crate::template::References;

/// The live state of one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceState {
    /// Its properties, under CloudFormation's names.
    Found(Value),
    /// It does not exist (deleted outside CloudFormation).
    Missing,
    /// The read failed: the message.
    ReadFailed(String),
}

/// A region's stack as it runs.
#[derive(Debug, Clone)]
pub struct ObservedStack {
    /// Region.
    pub region: String,
    /// DescribeStacks.
    pub info: StackInfo,
    /// ListStackResources.
    pub resources: Vec<StackResource>,
    /// The deployed template (GetTemplate), parsed.
    pub deployed: Value,
    /// Live state by logical id, for the resources whose type streamscale
    /// reads (see [`crate::resources`]).
    pub states: BTreeMap<String, ResourceState>,
}

impl ObservedStack {
    /// Physical ids by logical id.
    pub fn physical_ids(&self) -> BTreeMap<String, String> {
        self.resources
            .iter()
            .filter_map(|r| Some((r.logical_id.clone(), r.physical_id.clone()?)))
            .collect()
    }

    /// What `Ref` resolves to in this stack.
    pub fn references(&self, stack_name: &str) -> References {
        References {
            physical: self.physical_ids(),
            parameters: self.info.parameters.clone(),
            region: self.region.clone(),
            stack_name: stack_name.to_string(),
        }
    }

    /// The resources whose read failed: `(logical id, message)`.
    pub fn failed_reads(&self) -> Vec<(&str, &str)> {
        self.states
            .iter()
            .filter_map(|(l, s)| match s {
                ResourceState::ReadFailed(m) => Some((l.as_str(), m.as_str())),
                _ => None,
            })
            .collect()
    }
}
