//! Who may reach an origin: Cloudflare's published IP ranges (the copy
//! bundled in `data/cloudflare-ips.json`, or the list `plan` fetched from
//! Cloudflare's API), the size of the EC2 managed prefix lists that carry
//! them, and what those lists cost against the security-group rule quota.

use serde_json::Value;

/// The bundled copy of Cloudflare's ranges.
const BUNDLED: &str = include_str!("../../../data/cloudflare-ips.json");

/// Ports the load balancer admits from Cloudflare: 443, and 80 (answered
/// with a redirect to HTTPS).
pub const PORTS: [u16; 2] = [80, 443];

/// EC2's default quota of inbound (and of outbound) rules per security
/// group, counted per address family: 60
/// (<https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups>).
pub const RULES_PER_GROUP_QUOTA: u32 = 60;

/// Cloudflare's IPv4 and IPv6 ranges and where the list came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginRanges {
    /// IPv4 CIDRs, in Cloudflare's order.
    pub ipv4: Vec<String>,
    /// IPv6 CIDRs, in Cloudflare's order.
    pub ipv6: Vec<String>,
    /// Where the list came from (the bundled copy and its date, or the API).
    pub source: String,
}

/// A list of ranges that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginRangesError {
    /// The JSON does not have the expected shape.
    #[error("Cloudflare's IP list has no {0} array of CIDR strings")]
    Shape(&'static str),
    /// An entry that is not a CIDR of the family.
    #[error("`{0}` in Cloudflare's IP list is not an {1} CIDR")]
    NotCidr(String, &'static str),
    /// More rules than the security group may hold.
    #[error(
        "the load balancer's security group would count {used} {family} rules against EC2's quota of {quota} per group ({entries} Cloudflare ranges in a prefix list of {max} entries, referenced once per port): ask AWS for a higher rules-per-security-group quota before applying"
    )]
    OverQuota {
        /// ipv4 or ipv6.
        family: &'static str,
        /// Ranges in the list.
        entries: usize,
        /// The prefix list's MaxEntries.
        max: u32,
        /// Rules counted.
        used: u32,
        /// The quota.
        quota: u32,
    },
}

impl OriginRanges {
    /// The copy compiled into the binary (`data/cloudflare-ips.json`).
    pub fn bundled() -> Self {
        let v: Value = serde_json::from_str(BUNDLED).unwrap_or(Value::Null);
        let as_of = v["as_of"].as_str().unwrap_or("unknown date");
        let mut r = Self::from_lists(&v).unwrap_or(OriginRanges {
            ipv4: Vec::new(),
            ipv6: Vec::new(),
            source: String::new(),
        });
        r.source = format!("bundled copy of {as_of}");
        r
    }

    /// The `result` of Cloudflare's `GET /ips` (`ipv4_cidrs`, `ipv6_cidrs`).
    pub fn from_api_result(result: &Value) -> Result<Self, OriginRangesError> {
        let mut r = Self::from_lists(result)?;
        r.source = "Cloudflare API (GET /ips)".into();
        Ok(r)
    }

    fn from_lists(v: &Value) -> Result<Self, OriginRangesError> {
        let list = |key: &'static str, v6: bool| -> Result<Vec<String>, OriginRangesError> {
            let items = v[key].as_array().ok_or(OriginRangesError::Shape(key))?;
            let family = if v6 { "IPv6" } else { "IPv4" };
            items
                .iter()
                .map(|i| {
                    let s = i.as_str().ok_or(OriginRangesError::Shape(key))?;
                    if is_cidr(s, v6) {
                        Ok(s.to_string())
                    } else {
                        Err(OriginRangesError::NotCidr(s.to_string(), family))
                    }
                })
                .collect()
        };
        let ipv4 = list("ipv4_cidrs", false)?;
        let ipv6 = list("ipv6_cidrs", true)?;
        if ipv4.is_empty() {
            return Err(OriginRangesError::Shape("ipv4_cidrs"));
        }
        Ok(OriginRanges {
            ipv4,
            ipv6,
            source: String::new(),
        })
    }

    /// Whether both lists hold the same ranges (order aside).
    pub fn same_ranges(&self, other: &OriginRanges) -> bool {
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        sorted(&self.ipv4) == sorted(&other.ipv4) && sorted(&self.ipv6) == sorted(&other.ipv6)
    }

    /// Refuse ranges whose prefix lists would not fit the security group's
    /// rule quota (each reference counts as the list's MaxEntries).
    pub fn check_quota(&self) -> Result<(), OriginRangesError> {
        for (family, entries) in [("IPv4", self.ipv4.len()), ("IPv6", self.ipv6.len())] {
            let max = max_entries(entries);
            let used = rules_counted(entries);
            if used > RULES_PER_GROUP_QUOTA {
                return Err(OriginRangesError::OverQuota {
                    family,
                    entries,
                    max,
                    used,
                    quota: RULES_PER_GROUP_QUOTA,
                });
            }
        }
        Ok(())
    }
}

/// A prefix list's MaxEntries for `entries` ranges: room for five more
/// ranges, rounded up to ten (MaxEntries can grow in place, never shrink
/// below the entries). Sized small on purpose: a security group counts a
/// referenced prefix list as MaxEntries rules.
pub fn max_entries(entries: usize) -> u32 {
    let n = entries as u32 + 5;
    n.div_ceil(10) * 10
}

/// Rules the load balancer's security group counts for one prefix list of
/// `entries` ranges: MaxEntries for each port it is referenced on.
pub fn rules_counted(entries: usize) -> u32 {
    max_entries(entries) * PORTS.len() as u32
}

/// `a.b.c.d/n` (IPv4) or `x:…/n` (IPv6) with a prefix length in range.
fn is_cidr(s: &str, v6: bool) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u8>() else {
        return false;
    };
    if v6 {
        addr.parse::<std::net::Ipv6Addr>().is_ok() && len <= 128
    } else {
        addr.parse::<std::net::Ipv4Addr>().is_ok() && len <= 32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_bundled_copy_parses_and_fits_the_rule_quota() {
        let r = OriginRanges::bundled();
        assert_eq!((r.ipv4.len(), r.ipv6.len()), (15, 7));
        assert!(r.source.starts_with("bundled copy of 20"), "{}", r.source);
        assert_eq!(max_entries(15), 20);
        assert_eq!(rules_counted(15), 40);
        r.check_quota().unwrap();
    }

    #[test]
    fn an_api_answer_is_read_and_compared_order_aside() {
        let api = json!({"ipv4_cidrs": ["104.16.0.0/13", "173.245.48.0/20"], "ipv6_cidrs": ["2400:cb00::/32"], "etag": "x"});
        let a = OriginRanges::from_api_result(&api).unwrap();
        let b = OriginRanges::from_api_result(&json!({"ipv4_cidrs": ["173.245.48.0/20", "104.16.0.0/13"], "ipv6_cidrs": ["2400:cb00::/32"]})).unwrap();
        assert!(a.same_ranges(&b));
        assert!(!a.same_ranges(&OriginRanges::bundled()));
    }

    #[test]
    fn bad_lists_and_lists_above_the_quota_are_refused() {
        let bad = json!({"ipv4_cidrs": ["0.0.0.0/33"], "ipv6_cidrs": []});
        assert!(matches!(
            OriginRanges::from_api_result(&bad),
            Err(OriginRangesError::NotCidr(..))
        ));
        let wrong_family = json!({"ipv4_cidrs": ["2400:cb00::/32"], "ipv6_cidrs": []});
        assert!(OriginRanges::from_api_result(&wrong_family).is_err());
        // 30 ranges: MaxEntries 40, twice (80 and 443) = 80 rules > 60.
        let many: Vec<String> = (0..30).map(|i| format!("10.{i}.0.0/16")).collect();
        let big =
            OriginRanges::from_api_result(&json!({"ipv4_cidrs": many, "ipv6_cidrs": []})).unwrap();
        let err = big.check_quota().unwrap_err();
        assert!(err.to_string().contains("80 IPv4 rules"), "{err}");
    }
}
