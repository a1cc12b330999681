//! `[regions.*]` with `[defaults]` inheritance: known regions, shares that
//! sum to 1, and each region's settings (instance type, sizing, zones, AMI,
//! certificate, health check, root volume).

use rust_decimal::Decimal;

use super::{Checker, path};
use crate::catalog;
use crate::plan::schema::{self, PlanFile};
use crate::plan::source::KeyPath;
use crate::plan::{ErrorCode, Region};

impl Checker<'_> {
    pub(super) fn unknown_region(&mut self, at: &[String], name: &str) {
        let known = catalog::regions().iter().map(|r| r.code);
        let help = match catalog::suggest(name, known.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "regions streamscale knows: {}",
                known.collect::<Vec<_>>().join(", ")
            ),
        };
        // At the key itself: the region's name is what is wrong.
        let message = format!("unknown AWS region `{name}`");
        let diagnostic = self
            .sources
            .diagnostic_at_key(at, ErrorCode::UnknownRegion, message);
        self.errors.push(diagnostic.with_help(help));
    }

    pub(super) fn regions(&mut self, f: &PlanFile) -> Option<Vec<Region>> {
        if f.regions.is_empty() {
            self.error(
                &["regions"],
                ErrorCode::NoRegion,
                "the plan has no region".into(),
                "add at least one region: [regions.us-east-1] with share = 1.0",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        let mut sum = Decimal::ZERO;
        for (name, entry) in &f.regions {
            let base = path(&["regions", name]);
            let info = catalog::region(name);
            if info.is_none() {
                self.unknown_region(&base, name);
                ok = false;
            }
            let share_at = path(&["regions", name, "share"]);
            if entry.share <= Decimal::ZERO || entry.share > Decimal::ONE {
                self.error_at(
                    &share_at,
                    ErrorCode::InvalidValue,
                    format!("share of {name} must be in (0, 1], found {}", entry.share),
                    "a share is the fraction of all users served by this region",
                );
                ok = false;
            }
            sum += entry.share;
            match self.region(f, name, entry, info) {
                Some(r) => out.push(r),
                None => ok = false,
            }
        }
        let tolerance = Decimal::new(1, 9);
        if (sum - Decimal::ONE).abs() > tolerance {
            let first = f.regions.keys().next().cloned().unwrap_or_default();
            let list = f
                .regions
                .iter()
                .map(|(n, e)| format!("{n} {}", e.share))
                .collect::<Vec<_>>()
                .join(" + ");
            self.error_at(
                &path(&["regions", &first, "share"]),
                ErrorCode::SharesSum,
                format!("region shares sum to {}, not 1", sum.normalize()),
                format!(
                    "{list} = {}; adjust them so they add up to 1",
                    sum.normalize()
                ),
            );
            ok = false;
        }
        ok.then_some(out)
    }

    /// The effective value of a region setting and where it was written.
    fn inherited<T: Clone>(
        name: &str,
        field: &str,
        own: &Option<T>,
        default: &Option<T>,
    ) -> (Option<T>, KeyPath) {
        match own {
            Some(v) => (Some(v.clone()), path(&["regions", name, field])),
            None => (default.clone(), path(&["defaults", field])),
        }
    }

    /// Refuse a region setting that neither the region nor `[defaults]` sets.
    fn missing_setting(&mut self, name: &str, field: &str) {
        self.error(
            &["regions", name],
            ErrorCode::MissingKey,
            format!("no {field} for region {name}"),
            format!("set `{field}` under [defaults] or [regions.{name}]"),
        );
    }

    fn region(
        &mut self,
        f: &PlanFile,
        name: &str,
        e: &schema::RegionEntry,
        info: Option<&'static catalog::RegionInfo>,
    ) -> Option<Region> {
        let d = &f.defaults;
        // A setting's effective value and where it was written.
        macro_rules! setting {
            ($field:ident) => {
                Self::inherited(name, stringify!($field), &e.$field, &d.$field)
            };
        }
        let mut ok = true;

        let (it, it_at) = setting!(instance_type);
        let instance_type = match it {
            None => {
                self.missing_setting(name, "instance_type");
                ok = false;
                String::new()
            }
            Some(t) => {
                if catalog::instance_type(&t).is_none() && catalog::aws_offers_instance_type(&t) {
                    self.error_at(
                        &it_at,
                        ErrorCode::UnknownInstanceType,
                        format!("instance type `{t}` is one AWS offers, but streamscale's catalogue lacks it"),
                        "add it to the catalogue: a row in crates/core/src/catalog/instances.rs (vCPUs, memory, architecture) and its hourly price per region in data/aws-prices.csv (source and date: data/README.md); or choose a type the catalogue has (the c, m and r families of generations 6 to 8)",
                    );
                    ok = false;
                } else if catalog::instance_type(&t).is_none() {
                    let names = catalog::instance_types().iter().map(|i| i.name);
                    let help = match catalog::suggest(&t, names) {
                        Some(s) => format!("did you mean `{s}`? streamscale knows the c, m and r families of generations 6 to 8"),
                        None => "streamscale knows the c, m and r families of generations 6 to 8 (Intel, AMD, Graviton)".to_string(),
                    };
                    self.error_at(
                        &it_at,
                        ErrorCode::UnknownInstanceType,
                        format!("unknown instance type `{t}`"),
                        help,
                    );
                    ok = false;
                }
                t
            }
        };

        let (upi, upi_at) = setting!(users_per_instance);
        let users_per_instance = match upi {
            None => {
                self.missing_setting(name, "users_per_instance");
                ok = false;
                Decimal::ONE
            }
            Some(v) if v <= 0 => {
                self.error_at(
                    &upi_at,
                    ErrorCode::InvalidValue,
                    format!("users_per_instance must be positive, found {v}"),
                    "the concurrent users one instance sustains at 100% CPU, from load tests",
                );
                ok = false;
                Decimal::ONE
            }
            Some(v) => Decimal::from(v),
        };

        let (tu, tu_at) = setting!(target_utilization);
        let target_utilization = match tu {
            None => {
                self.missing_setting(name, "target_utilization");
                ok = false;
                Decimal::ONE
            }
            Some(v) if v <= Decimal::ZERO || v > Decimal::ONE => {
                self.error_at(
                    &tu_at,
                    ErrorCode::InvalidValue,
                    format!("target_utilization must be in (0, 1], found {v}"),
                    "the fraction of an instance's capacity used at peak, e.g. 0.65",
                );
                ok = false;
                Decimal::ONE
            }
            Some(v) => v,
        };

        let (az, az_at) = setting!(availability_zones);
        let az = az.unwrap_or(3);
        let mut availability_zones = Vec::new();
        if !(2..=6).contains(&az) {
            self.error_at(
                &az_at,
                ErrorCode::InvalidValue,
                format!("availability_zones must be 2 to 6, found {az}"),
                "spread over at least two zones; 3 is usual",
            );
            ok = false;
        } else if let Some(info) = info {
            if az as usize > info.availability_zones.len() {
                self.error_at(
                    &az_at,
                    ErrorCode::TooManyZones,
                    format!(
                        "{name} has {} availability zones, the plan asks for {az}",
                        info.availability_zones.len()
                    ),
                    format!("{name}'s zones: {}", info.availability_zones.join(", ")),
                );
                ok = false;
            } else {
                availability_zones = info.availability_zones[..az as usize]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            }
        }

        let (ami, ami_at) = setting!(ami);
        let ami = match ami {
            None => {
                self.error(
                    &["regions", name],
                    ErrorCode::MissingKey,
                    format!("no ami for region {name}"),
                    format!("AMIs are regional: set `ami = \"ami-…\"` under [regions.{name}]"),
                );
                ok = false;
                String::new()
            }
            Some(a) => {
                if !is_ami(&a) {
                    self.error_at(&ami_at, ErrorCode::BadAmi,
                        format!("`{a}` is not an AMI id"),
                        "an AMI id is `ami-` followed by 8 or 17 hexadecimal digits, e.g. ami-0123456789abcdef0");
                    ok = false;
                }
                a
            }
        };

        let (cert, cert_at) = setting!(certificate_arn);
        let certificate_arn = match cert {
            None => {
                self.error(
                    &["regions", name],
                    ErrorCode::MissingKey,
                    format!("no certificate_arn for region {name}"),
                    format!(
                        "the load balancer serves HTTPS only: set `certificate_arn = \"arn:aws:acm:{name}:ACCOUNT:certificate/ID\"` under [regions.{name}] (an ACM certificate in {name} for the Cloudflare hostname; see docs/security.md)"
                    ),
                );
                ok = false;
                String::new()
            }
            Some(c) => {
                if let Err(why) = check_certificate_arn(&c, name) {
                    self.error_at(
                        &cert_at,
                        ErrorCode::InvalidValue,
                        format!("`{c}` {why}"),
                        format!("an ACM certificate in the region itself: arn:aws:acm:{name}:ACCOUNT:certificate/ID"),
                    );
                    ok = false;
                }
                c
            }
        };

        let cf_path = f.cloudflare.as_ref().map(|c| c.health_check.path.clone());
        let (hp, hp_at) = setting!(health_check_path);
        let health_check_path = hp.or(cf_path).unwrap_or_else(|| "/healthz".into());
        if !health_check_path.starts_with('/') {
            self.error_at(
                &hp_at,
                ErrorCode::InvalidValue,
                format!("health_check_path `{health_check_path}` must start with /"),
                "for example /healthz",
            );
            ok = false;
        }

        let (rv, rv_at) = setting!(root_volume_gib);
        let root_volume_gib = rv.unwrap_or(30);
        if !(8..=16384).contains(&root_volume_gib) {
            self.error_at(
                &rv_at,
                ErrorCode::InvalidValue,
                format!("root_volume_gib must be 8 to 16384, found {root_volume_gib}"),
                "30 is a usual size",
            );
            ok = false;
        }

        ok.then(|| Region {
            name: name.to_string(),
            share: e.share,
            instance_type,
            users_per_instance,
            target_utilization,
            availability_zones,
            ami,
            certificate_arn,
            health_check_path,
            root_volume_gib: root_volume_gib as u32,
        })
    }
}

/// `ami-` followed by 8 or 17 lowercase hex digits.
pub fn is_ami(s: &str) -> bool {
    s.strip_prefix("ami-").is_some_and(|h| {
        (h.len() == 8 || h.len() == 17)
            && h.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// An ACM certificate ARN of `region`: `arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID`
/// (a load balancer can only use a certificate of its own region).
pub fn check_certificate_arn(arn: &str, region: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_, partition, service, cert_region, account, resource] = parts[..] else {
        return Err("is not an ACM certificate ARN".into());
    };
    if arn_ != "arn" || !partition.starts_with("aws") || service != "acm" {
        return Err("is not an ACM certificate ARN".into());
    }
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("has `{account}` for an account id (12 digits)"));
    }
    let id = resource.strip_prefix("certificate/").unwrap_or("");
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("does not end in certificate/ID".into());
    }
    if cert_region != region {
        return Err(format!(
            "is a certificate of {cert_region}: a load balancer in {region} can only use a certificate of {region}"
        ));
    }
    Ok(())
}
