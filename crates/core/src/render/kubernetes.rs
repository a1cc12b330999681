//! The `[kubernetes]` tier rendered: the stack context of the EKS partial
//! (`templates/aws/kubernetes.json.hbs`) and the app's manifests written to
//! `out/<env>/kubernetes/<region>/` (Namespace, Deployment, Service,
//! HorizontalPodAutoscaler, PodDisruptionBudget, and the CronJobs that raise
//! the replicas floor for each event's pre-warm). See docs/kubernetes.md.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::{Value, json};

use super::yaml;
use crate::plan::platform::KubernetesRegion;
use crate::plan::timeline::EventPhase;
use crate::plan::{Plan, Region};

/// The app's name: labels, the Deployment, the Service and the autoscaler.
pub const APP: &str = "app";

/// The service CIDR the cluster is created with (the nodes' bootstrap needs it).
pub const SERVICE_CIDR: &str = "10.100.0.0/16";

/// The control-plane log types switched on (all five EKS offers).
pub const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// The EKS cluster's name in `region`: the stack's name (one per region).
pub fn cluster_name(plan: &Plan) -> String {
    plan.stack_name()
}

/// The context of the EKS partial, or `null` without `[kubernetes]`.
pub fn context(plan: &Plan, region: &Region) -> Value {
    let Some(k) = &plan.kubernetes else {
        return Value::Null;
    };
    json!({
        "cluster_name": cluster_name(plan),
        "version": k.version,
        "node_port": k.node_port,
        "service_cidr": SERVICE_CIDR,
        "public_access_cidrs": k.public_access_cidrs,
        "log_types": LOG_TYPES,
        "region": region.name,
    })
}

/// The replicas floor in force at `now`: the pre-warm floor of an event
/// whose window is open, otherwise `min_replicas` (as the group's MinSize).
fn min_replicas_now(plan: &Plan, kr: &KubernetesRegion, now: DateTime<Utc>) -> u64 {
    let mut floor = kr.min_replicas;
    for (e, (_, pre)) in plan.capacity.events.iter().zip(&kr.prewarm_min_replicas) {
        if EventPhase::of(e, now).holds_prewarm() {
            floor = floor.max(*pre);
        }
    }
    floor
}

/// The manifests of one region at `now`, as `(file name, YAML)` pairs in a
/// fixed order; empty without `[kubernetes]`.
pub fn manifests(plan: &Plan, region: &Region, now: DateTime<Utc>) -> Vec<(String, String)> {
    let (Some(k), Some(kc)) = (&plan.kubernetes, &plan.capacity.kubernetes) else {
        return Vec::new();
    };
    let Some(kr) = kc.region(&region.name) else {
        return Vec::new();
    };
    let ns = k.namespace.as_str();
    let labels = json!({
        "app.kubernetes.io/name": APP,
        "app.kubernetes.io/part-of": plan.name,
        "app.kubernetes.io/managed-by": "streamscale",
    });
    let selector = json!({"app.kubernetes.io/name": APP});
    let meta = |name: &str| json!({"name": name, "namespace": ns, "labels": labels});
    let restricted = json!({
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
    });
    let pod_security = json!({
        "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"},
    });
    let probe = |failures: u32, period: u32| {
        json!({
            "httpGet": {"path": region.health_check_path, "port": "http"},
            "periodSeconds": period,
            "timeoutSeconds": 2,
            "failureThreshold": failures,
        })
    };
    let memory = format!("{}Mi", kr.memory_request_mib);
    let namespace = json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": ns,
            "labels": {
                "app.kubernetes.io/part-of": plan.name,
                "app.kubernetes.io/managed-by": "streamscale",
                "pod-security.kubernetes.io/enforce": "restricted",
            },
        },
    });
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(APP),
        "spec": {
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
            },
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "automountServiceAccountToken": false,
                    "securityContext": pod_security,
                    "terminationGracePeriodSeconds": 30,
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector},
                        },
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector},
                        },
                    ],
                    "containers": [{
                        "name": APP,
                        "image": k.image,
                        "ports": [{"name": "http", "containerPort": k.container_port, "protocol": "TCP"}],
                        "resources": {
                            "requests": {
                                "cpu": format!("{}m", kr.cpu_request_millicores),
                                "memory": memory,
                            },
                            "limits": {"memory": memory},
                        },
                        "readinessProbe": probe(3, 5),
                        "livenessProbe": probe(6, 10),
                        "securityContext": restricted,
                    }],
                },
            },
        },
    });
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(APP),
        "spec": {
            "type": "NodePort",
            "externalTrafficPolicy": "Cluster",
            "selector": selector,
            "ports": [{
                "name": "http",
                "protocol": "TCP",
                "port": 80,
                "targetPort": "http",
                "nodePort": k.node_port,
            }],
        },
    });
    let hpa = json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(APP),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": APP},
            "minReplicas": min_replicas_now(plan, kr, now),
            "maxReplicas": kr.max_replicas,
            "metrics": [{
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": kr.cpu_target_percent},
                },
            }],
            "behavior": {
                "scaleDown": {"stabilizationWindowSeconds": 300},
            },
        },
    });
    let pdb = json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(APP),
        "spec": {
            // One node's pods at a time: a drain proceeds node by node.
            "maxUnavailable": k.pods_per_node,
            "selector": {"matchLabels": selector},
        },
    });
    let mut files = vec![
        ("namespace.yaml".to_string(), yaml::to_yaml(&namespace)),
        ("deployment.yaml".to_string(), yaml::to_yaml(&deployment)),
        ("service.yaml".to_string(), yaml::to_yaml(&service)),
        ("hpa.yaml".to_string(), yaml::to_yaml(&hpa)),
        ("pdb.yaml".to_string(), yaml::to_yaml(&pdb)),
    ];
    let prewarm = prewarm_documents(plan, kr, now, &meta, &pod_security, &restricted);
    if !prewarm.is_empty() {
        files.push(("prewarm.yaml".to_string(), yaml::documents(&prewarm)));
    }
    files
}

/// `minute hour day month *` of an instant (UTC).
fn cron_at(t: DateTime<Utc>) -> String {
    format!("{} {} {} {} *", t.minute(), t.hour(), t.day(), t.month())
}

/// The pre-warm of the replicas floor: a ServiceAccount allowed to patch
/// the autoscaler, and per event still ahead a CronJob at `prewarm_at`
/// raising `minReplicas` and one at `release_at` lowering it back.
fn prewarm_documents(
    plan: &Plan,
    kr: &KubernetesRegion,
    now: DateTime<Utc>,
    meta: &dyn Fn(&str) -> Value,
    pod_security: &Value,
    restricted: &Value,
) -> Vec<Value> {
    let Some(k) = &plan.kubernetes else {
        return Vec::new();
    };
    let account = "replicas-prewarm";
    let kubectl = format!("registry.k8s.io/kubectl:v{}.0", k.version);
    let job = |name: String, at: DateTime<Utc>, replicas: u64| {
        let patch = json!({"spec": {"minReplicas": replicas}}).to_string();
        json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": meta(&name),
            "spec": {
                "schedule": cron_at(at),
                "timeZone": "Etc/UTC",
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 600,
                "successfulJobsHistoryLimit": 1,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": {
                    "backoffLimit": 6,
                    "template": {"spec": {
                        "serviceAccountName": account,
                        "restartPolicy": "OnFailure",
                        "securityContext": pod_security,
                        "containers": [{
                            "name": "kubectl",
                            "image": kubectl,
                            "args": ["patch", "horizontalpodautoscaler", APP, "--namespace", k.namespace,
                                     "--type", "merge", "--patch", patch],
                            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "64Mi"}},
                            "securityContext": restricted,
                        }],
                    }},
                }},
            },
        })
    };
    let mut jobs = Vec::new();
    for (e, (_, pre)) in plan.capacity.events.iter().zip(&kr.prewarm_min_replicas) {
        let phase = EventPhase::of(e, now);
        if !phase.schedules_release() {
            continue;
        }
        if phase.schedules_prewarm() {
            jobs.push(job(format!("prewarm-{}", e.name), e.prewarm_at, *pre));
        }
        jobs.push(job(
            format!("release-{}", e.name),
            e.release_at,
            kr.min_replicas,
        ));
    }
    if jobs.is_empty() {
        return jobs;
    }
    let mut docs = vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(account)}),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta(account),
            "rules": [{
                "apiGroups": ["autoscaling"],
                "resources": ["horizontalpodautoscalers"],
                "resourceNames": [APP],
                "verbs": ["get", "patch"],
            }],
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta(account),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": account},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": k.namespace}],
        }),
    ];
    docs.extend(jobs);
    docs
}

/// `kubernetes.min_replicas`, `kubernetes.max_replicas` (and the CPU
/// target and pod requests) of one region of `capacity.json` (SPEC §7).
pub fn capacity_entry(plan: &Plan, region: &str, entry: Option<&mut Value>) {
    let (Some(Value::Object(entry)), Some(kr)) = (
        entry,
        plan.capacity
            .kubernetes
            .as_ref()
            .and_then(|k| k.region(region)),
    ) else {
        return;
    };
    let prewarm: serde_json::Map<String, Value> = kr
        .prewarm_min_replicas
        .iter()
        .map(|(name, n)| (name.clone(), json!(n)))
        .collect();
    entry.insert(
        "kubernetes".into(),
        json!({
            "min_replicas": kr.min_replicas,
            "max_replicas": kr.max_replicas,
            "cpu_target_percent": kr.cpu_target_percent,
            "cpu_request_millicores": kr.cpu_request_millicores,
            "memory_request_mib": kr.memory_request_mib,
            "prewarm_min_replicas": prewarm,
        }),
    );
}
