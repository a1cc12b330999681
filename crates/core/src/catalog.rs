//! Static facts about AWS that streamscale needs without calling any API.
//!
//! This module owns:
//!
//! * the EC2 instance-type table (vCPUs, memory, architecture, CPU vendor) used to
//!   validate plans and to compute `vcpus_at_max`;
//! * the ElastiCache node-type table;
//! * the supported AWS regions, with approximate metro coordinates, the Cloudflare
//!   load-balancing region each sits in, and their availability-zone names;
//! * the Cloudflare load-balancing region codes and an approximate centre for each;
//! * on-demand hourly prices, parsed once from CSV files compiled into the binary
//!   (`data/*.csv`, see `data/README.md` for where they came from);
//! * small helpers: great-circle distance and "did you mean" suggestions.
//!
//! Everything here is pure: no network, no file system, no environment. The
//! embedded CSV files are parsed lazily on first use; because they are compiled in,
//! a malformed row is a build defect caught by this module's unit tests, not a
//! user-facing error.

use std::str::FromStr;
use std::sync::LazyLock;

use rust_decimal::Decimal;
use serde::Serialize;

/// `data/aws-prices.csv`: EC2 (`ec2`) and ElastiCache for Redis OSS (`elasticache`) prices.
const PRICES_CSV: &str = include_str!("../../../data/aws-prices.csv");
/// `data/aws-prices-elasticache-valkey.csv`: ElastiCache for Valkey prices.
const VALKEY_PRICES_CSV: &str = include_str!("../../../data/aws-prices-elasticache-valkey.csv");
/// `data/aws-regions.csv`: region code, metro, coordinates and Cloudflare region.
const REGIONS_CSV: &str = include_str!("../../../data/aws-regions.csv");

/// Header every embedded price file must start with.
const PRICES_HEADER: &str = "service,region,instance_type,usd_per_hour,source_date";
/// Header the embedded region file must start with.
const REGIONS_HEADER: &str = "region,city,lat,lon,cloudflare_region";

/// Service name of EC2 rows in the price files.
const SERVICE_EC2: &str = "ec2";
/// Service name of ElastiCache for Redis OSS rows in the price files.
const SERVICE_CACHE_REDIS: &str = "elasticache";
/// Service name of ElastiCache for Valkey rows in the price files.
const SERVICE_CACHE_VALKEY: &str = "elasticache-valkey";

/// Mean Earth radius in kilometres (IUGG mean radius R1), used by [`great_circle_km`].
const EARTH_MEAN_RADIUS_KM: f64 = 6371.0088;

// ---------------------------------------------------------------------------
// EC2 instance types
// ---------------------------------------------------------------------------

/// CPU architecture of an EC2 instance type (serialised in lowercase:
/// `"x86_64"`, `"arm64"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// 64-bit x86 (Intel and AMD).
    X86_64,
    /// 64-bit Arm (AWS Graviton).
    Arm64,
}

/// Maker of an EC2 instance type's processor (serialised in lowercase:
/// `"intel"`, `"amd"`, `"graviton"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CpuVendor {
    /// Intel Xeon (`…i` families and `t3`).
    Intel,
    /// AMD EPYC (`…a` families).
    Amd,
    /// AWS Graviton (`…g` families).
    Graviton,
}

/// An EC2 instance type with AWS's published default vCPU count and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct InstanceType {
    /// API name, e.g. `"c7i.2xlarge"`.
    pub name: &'static str,
    /// Default number of vCPUs.
    pub vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: u32,
    /// CPU architecture; the AMI must match it.
    pub arch: Arch,
    /// Processor maker.
    pub vendor: CpuVendor,
}

/// Shorthand constructor for the static table.
const fn it(
    name: &'static str,
    vcpus: u32,
    memory_gib: u32,
    arch: Arch,
    vendor: CpuVendor,
) -> InstanceType {
    InstanceType {
        name,
        vcpus,
        memory_gib,
        arch,
        vendor,
    }
}

use Arch::{Arm64, X86_64};
use CpuVendor::{Amd, Graviton, Intel};

/// Every instance type streamscale knows, grouped by family.
///
/// Figures are AWS's `DescribeInstanceTypes` values (`VCpuInfo.DefaultVCpus`,
/// `MemoryInfo.SizeInMiB / 1024`, `ProcessorInfo`), as recorded in the instance-type
/// data shipped with moto 5.2.5. Families: c/m/r × 6th–8th generation (Intel `i`,
/// AMD `a`, Graviton `g`), sizes `large` to `16xlarge` plus `24xlarge`, `32xlarge`
/// and `48xlarge` where AWS offers them (Graviton2/3 stop at `16xlarge`; Graviton4
/// has `24xlarge` and `48xlarge`), and `t3.medium`. Bare-metal and `medium` sizes
/// are left out.
static INSTANCE_TYPES: &[InstanceType] = &[
    it("c6i.large", 2, 4, X86_64, Intel),
    it("c6i.xlarge", 4, 8, X86_64, Intel),
    it("c6i.2xlarge", 8, 16, X86_64, Intel),
    it("c6i.4xlarge", 16, 32, X86_64, Intel),
    it("c6i.8xlarge", 32, 64, X86_64, Intel),
    it("c6i.12xlarge", 48, 96, X86_64, Intel),
    it("c6i.16xlarge", 64, 128, X86_64, Intel),
    it("c6i.24xlarge", 96, 192, X86_64, Intel),
    it("c6i.32xlarge", 128, 256, X86_64, Intel),
    it("c6a.large", 2, 4, X86_64, Amd),
    it("c6a.xlarge", 4, 8, X86_64, Amd),
    it("c6a.2xlarge", 8, 16, X86_64, Amd),
    it("c6a.4xlarge", 16, 32, X86_64, Amd),
    it("c6a.8xlarge", 32, 64, X86_64, Amd),
    it("c6a.12xlarge", 48, 96, X86_64, Amd),
    it("c6a.16xlarge", 64, 128, X86_64, Amd),
    it("c6a.24xlarge", 96, 192, X86_64, Amd),
    it("c6a.32xlarge", 128, 256, X86_64, Amd),
    it("c6a.48xlarge", 192, 384, X86_64, Amd),
    it("c6g.large", 2, 4, Arm64, Graviton),
    it("c6g.xlarge", 4, 8, Arm64, Graviton),
    it("c6g.2xlarge", 8, 16, Arm64, Graviton),
    it("c6g.4xlarge", 16, 32, Arm64, Graviton),
    it("c6g.8xlarge", 32, 64, Arm64, Graviton),
    it("c6g.12xlarge", 48, 96, Arm64, Graviton),
    it("c6g.16xlarge", 64, 128, Arm64, Graviton),
    it("c7i.large", 2, 4, X86_64, Intel),
    it("c7i.xlarge", 4, 8, X86_64, Intel),
    it("c7i.2xlarge", 8, 16, X86_64, Intel),
    it("c7i.4xlarge", 16, 32, X86_64, Intel),
    it("c7i.8xlarge", 32, 64, X86_64, Intel),
    it("c7i.12xlarge", 48, 96, X86_64, Intel),
    it("c7i.16xlarge", 64, 128, X86_64, Intel),
    it("c7i.24xlarge", 96, 192, X86_64, Intel),
    it("c7i.48xlarge", 192, 384, X86_64, Intel),
    it("c7a.large", 2, 4, X86_64, Amd),
    it("c7a.xlarge", 4, 8, X86_64, Amd),
    it("c7a.2xlarge", 8, 16, X86_64, Amd),
    it("c7a.4xlarge", 16, 32, X86_64, Amd),
    it("c7a.8xlarge", 32, 64, X86_64, Amd),
    it("c7a.12xlarge", 48, 96, X86_64, Amd),
    it("c7a.16xlarge", 64, 128, X86_64, Amd),
    it("c7a.24xlarge", 96, 192, X86_64, Amd),
    it("c7a.32xlarge", 128, 256, X86_64, Amd),
    it("c7a.48xlarge", 192, 384, X86_64, Amd),
    it("c7g.large", 2, 4, Arm64, Graviton),
    it("c7g.xlarge", 4, 8, Arm64, Graviton),
    it("c7g.2xlarge", 8, 16, Arm64, Graviton),
    it("c7g.4xlarge", 16, 32, Arm64, Graviton),
    it("c7g.8xlarge", 32, 64, Arm64, Graviton),
    it("c7g.12xlarge", 48, 96, Arm64, Graviton),
    it("c7g.16xlarge", 64, 128, Arm64, Graviton),
    it("c8g.large", 2, 4, Arm64, Graviton),
    it("c8g.xlarge", 4, 8, Arm64, Graviton),
    it("c8g.2xlarge", 8, 16, Arm64, Graviton),
    it("c8g.4xlarge", 16, 32, Arm64, Graviton),
    it("c8g.8xlarge", 32, 64, Arm64, Graviton),
    it("c8g.12xlarge", 48, 96, Arm64, Graviton),
    it("c8g.16xlarge", 64, 128, Arm64, Graviton),
    it("c8g.24xlarge", 96, 192, Arm64, Graviton),
    it("c8g.48xlarge", 192, 384, Arm64, Graviton),
    it("m6i.large", 2, 8, X86_64, Intel),
    it("m6i.xlarge", 4, 16, X86_64, Intel),
    it("m6i.2xlarge", 8, 32, X86_64, Intel),
    it("m6i.4xlarge", 16, 64, X86_64, Intel),
    it("m6i.8xlarge", 32, 128, X86_64, Intel),
    it("m6i.12xlarge", 48, 192, X86_64, Intel),
    it("m6i.16xlarge", 64, 256, X86_64, Intel),
    it("m6i.24xlarge", 96, 384, X86_64, Intel),
    it("m6i.32xlarge", 128, 512, X86_64, Intel),
    it("m6a.large", 2, 8, X86_64, Amd),
    it("m6a.xlarge", 4, 16, X86_64, Amd),
    it("m6a.2xlarge", 8, 32, X86_64, Amd),
    it("m6a.4xlarge", 16, 64, X86_64, Amd),
    it("m6a.8xlarge", 32, 128, X86_64, Amd),
    it("m6a.12xlarge", 48, 192, X86_64, Amd),
    it("m6a.16xlarge", 64, 256, X86_64, Amd),
    it("m6a.24xlarge", 96, 384, X86_64, Amd),
    it("m6a.32xlarge", 128, 512, X86_64, Amd),
    it("m6a.48xlarge", 192, 768, X86_64, Amd),
    it("m6g.large", 2, 8, Arm64, Graviton),
    it("m6g.xlarge", 4, 16, Arm64, Graviton),
    it("m6g.2xlarge", 8, 32, Arm64, Graviton),
    it("m6g.4xlarge", 16, 64, Arm64, Graviton),
    it("m6g.8xlarge", 32, 128, Arm64, Graviton),
    it("m6g.12xlarge", 48, 192, Arm64, Graviton),
    it("m6g.16xlarge", 64, 256, Arm64, Graviton),
    it("m7i.large", 2, 8, X86_64, Intel),
    it("m7i.xlarge", 4, 16, X86_64, Intel),
    it("m7i.2xlarge", 8, 32, X86_64, Intel),
    it("m7i.4xlarge", 16, 64, X86_64, Intel),
    it("m7i.8xlarge", 32, 128, X86_64, Intel),
    it("m7i.12xlarge", 48, 192, X86_64, Intel),
    it("m7i.16xlarge", 64, 256, X86_64, Intel),
    it("m7i.24xlarge", 96, 384, X86_64, Intel),
    it("m7i.48xlarge", 192, 768, X86_64, Intel),
    it("m7a.large", 2, 8, X86_64, Amd),
    it("m7a.xlarge", 4, 16, X86_64, Amd),
    it("m7a.2xlarge", 8, 32, X86_64, Amd),
    it("m7a.4xlarge", 16, 64, X86_64, Amd),
    it("m7a.8xlarge", 32, 128, X86_64, Amd),
    it("m7a.12xlarge", 48, 192, X86_64, Amd),
    it("m7a.16xlarge", 64, 256, X86_64, Amd),
    it("m7a.24xlarge", 96, 384, X86_64, Amd),
    it("m7a.32xlarge", 128, 512, X86_64, Amd),
    it("m7a.48xlarge", 192, 768, X86_64, Amd),
    it("m7g.large", 2, 8, Arm64, Graviton),
    it("m7g.xlarge", 4, 16, Arm64, Graviton),
    it("m7g.2xlarge", 8, 32, Arm64, Graviton),
    it("m7g.4xlarge", 16, 64, Arm64, Graviton),
    it("m7g.8xlarge", 32, 128, Arm64, Graviton),
    it("m7g.12xlarge", 48, 192, Arm64, Graviton),
    it("m7g.16xlarge", 64, 256, Arm64, Graviton),
    it("m8g.large", 2, 8, Arm64, Graviton),
    it("m8g.xlarge", 4, 16, Arm64, Graviton),
    it("m8g.2xlarge", 8, 32, Arm64, Graviton),
    it("m8g.4xlarge", 16, 64, Arm64, Graviton),
    it("m8g.8xlarge", 32, 128, Arm64, Graviton),
    it("m8g.12xlarge", 48, 192, Arm64, Graviton),
    it("m8g.16xlarge", 64, 256, Arm64, Graviton),
    it("m8g.24xlarge", 96, 384, Arm64, Graviton),
    it("m8g.48xlarge", 192, 768, Arm64, Graviton),
    it("r6i.large", 2, 16, X86_64, Intel),
    it("r6i.xlarge", 4, 32, X86_64, Intel),
    it("r6i.2xlarge", 8, 64, X86_64, Intel),
    it("r6i.4xlarge", 16, 128, X86_64, Intel),
    it("r6i.8xlarge", 32, 256, X86_64, Intel),
    it("r6i.12xlarge", 48, 384, X86_64, Intel),
    it("r6i.16xlarge", 64, 512, X86_64, Intel),
    it("r6i.24xlarge", 96, 768, X86_64, Intel),
    it("r6i.32xlarge", 128, 1024, X86_64, Intel),
    it("r6a.large", 2, 16, X86_64, Amd),
    it("r6a.xlarge", 4, 32, X86_64, Amd),
    it("r6a.2xlarge", 8, 64, X86_64, Amd),
    it("r6a.4xlarge", 16, 128, X86_64, Amd),
    it("r6a.8xlarge", 32, 256, X86_64, Amd),
    it("r6a.12xlarge", 48, 384, X86_64, Amd),
    it("r6a.16xlarge", 64, 512, X86_64, Amd),
    it("r6a.24xlarge", 96, 768, X86_64, Amd),
    it("r6a.32xlarge", 128, 1024, X86_64, Amd),
    it("r6a.48xlarge", 192, 1536, X86_64, Amd),
    it("r6g.large", 2, 16, Arm64, Graviton),
    it("r6g.xlarge", 4, 32, Arm64, Graviton),
    it("r6g.2xlarge", 8, 64, Arm64, Graviton),
    it("r6g.4xlarge", 16, 128, Arm64, Graviton),
    it("r6g.8xlarge", 32, 256, Arm64, Graviton),
    it("r6g.12xlarge", 48, 384, Arm64, Graviton),
    it("r6g.16xlarge", 64, 512, Arm64, Graviton),
    it("r7i.large", 2, 16, X86_64, Intel),
    it("r7i.xlarge", 4, 32, X86_64, Intel),
    it("r7i.2xlarge", 8, 64, X86_64, Intel),
    it("r7i.4xlarge", 16, 128, X86_64, Intel),
    it("r7i.8xlarge", 32, 256, X86_64, Intel),
    it("r7i.12xlarge", 48, 384, X86_64, Intel),
    it("r7i.16xlarge", 64, 512, X86_64, Intel),
    it("r7i.24xlarge", 96, 768, X86_64, Intel),
    it("r7i.48xlarge", 192, 1536, X86_64, Intel),
    it("r7a.large", 2, 16, X86_64, Amd),
    it("r7a.xlarge", 4, 32, X86_64, Amd),
    it("r7a.2xlarge", 8, 64, X86_64, Amd),
    it("r7a.4xlarge", 16, 128, X86_64, Amd),
    it("r7a.8xlarge", 32, 256, X86_64, Amd),
    it("r7a.12xlarge", 48, 384, X86_64, Amd),
    it("r7a.16xlarge", 64, 512, X86_64, Amd),
    it("r7a.24xlarge", 96, 768, X86_64, Amd),
    it("r7a.32xlarge", 128, 1024, X86_64, Amd),
    it("r7a.48xlarge", 192, 1536, X86_64, Amd),
    it("r7g.large", 2, 16, Arm64, Graviton),
    it("r7g.xlarge", 4, 32, Arm64, Graviton),
    it("r7g.2xlarge", 8, 64, Arm64, Graviton),
    it("r7g.4xlarge", 16, 128, Arm64, Graviton),
    it("r7g.8xlarge", 32, 256, Arm64, Graviton),
    it("r7g.12xlarge", 48, 384, Arm64, Graviton),
    it("r7g.16xlarge", 64, 512, Arm64, Graviton),
    it("r8g.large", 2, 16, Arm64, Graviton),
    it("r8g.xlarge", 4, 32, Arm64, Graviton),
    it("r8g.2xlarge", 8, 64, Arm64, Graviton),
    it("r8g.4xlarge", 16, 128, Arm64, Graviton),
    it("r8g.8xlarge", 32, 256, Arm64, Graviton),
    it("r8g.12xlarge", 48, 384, Arm64, Graviton),
    it("r8g.16xlarge", 64, 512, Arm64, Graviton),
    it("r8g.24xlarge", 96, 768, Arm64, Graviton),
    it("r8g.48xlarge", 192, 1536, Arm64, Graviton),
    it("t3.medium", 2, 4, X86_64, Intel),
];

/// Looks up an EC2 instance type by its exact API name (e.g. `"c7i.2xlarge"`).
///
/// Returns `None` for types not in the table; use [`suggest`] with
/// [`instance_types`] names for a "did you mean" hint.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// All known EC2 instance types, grouped by family and ordered by size.
pub fn instance_types() -> &'static [InstanceType] {
    INSTANCE_TYPES
}

// ---------------------------------------------------------------------------
// ElastiCache node types
// ---------------------------------------------------------------------------

/// An ElastiCache node type with AWS's published vCPU count and memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CacheNodeType {
    /// API name, e.g. `"cache.r7g.large"`.
    pub name: &'static str,
    /// Number of vCPUs.
    pub vcpus: u32,
    /// Memory in GiB as AWS publishes it for the node type (e.g. 13.07), which is
    /// less than the underlying EC2 instance's memory.
    pub memory_gib: f64,
}

/// Shorthand constructor for the static table.
const fn cn(name: &'static str, vcpus: u32, memory_gib: f64) -> CacheNodeType {
    CacheNodeType {
        name,
        vcpus,
        memory_gib,
    }
}

/// Known ElastiCache node types (Graviton2/3 general-purpose and memory-optimised,
/// `large` to `2xlarge`), with the memory figures of AWS's ElastiCache node-type
/// and pricing pages.
static CACHE_NODE_TYPES: &[CacheNodeType] = &[
    cn("cache.m6g.large", 2, 6.38),
    cn("cache.m6g.xlarge", 4, 12.93),
    cn("cache.m6g.2xlarge", 8, 26.04),
    cn("cache.m7g.large", 2, 6.38),
    cn("cache.m7g.xlarge", 4, 12.93),
    cn("cache.m7g.2xlarge", 8, 26.04),
    cn("cache.r6g.large", 2, 13.07),
    cn("cache.r6g.xlarge", 4, 26.32),
    cn("cache.r6g.2xlarge", 8, 52.82),
    cn("cache.r7g.large", 2, 13.07),
    cn("cache.r7g.xlarge", 4, 26.32),
    cn("cache.r7g.2xlarge", 8, 52.82),
];

/// Looks up an ElastiCache node type by its exact API name (e.g. `"cache.r7g.large"`).
pub fn cache_node_type(name: &str) -> Option<&'static CacheNodeType> {
    CACHE_NODE_TYPES.iter().find(|t| t.name == name)
}

/// All known ElastiCache node types.
pub fn cache_node_types() -> &'static [CacheNodeType] {
    CACHE_NODE_TYPES
}

// ---------------------------------------------------------------------------
// Regions and availability zones
// ---------------------------------------------------------------------------

/// An AWS region streamscale can deploy to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionInfo {
    /// Region code, e.g. `"eu-west-1"`.
    pub code: &'static str,
    /// Metro the region is in (AWS names only the metro), e.g. `"Dublin"`.
    pub city: &'static str,
    /// Approximate latitude of the metro, degrees north.
    pub lat: f64,
    /// Approximate longitude of the metro, degrees east.
    pub lon: f64,
    /// Cloudflare load-balancing region the AWS region sits in (one of
    /// [`cloudflare_regions`]).
    pub cloudflare_region: &'static str,
    /// Availability-zone names, in name order.
    pub availability_zones: &'static [&'static str],
}

/// Availability-zone names of each supported region, in name order.
///
/// Each list is the intersection of the zone names AWS reports for the region
/// (moto 5.2.5's recorded `DescribeInstanceTypeOfferings` data) and the zones the
/// moto 5.2.5 emulator accepts for subnets (`RegionsAndZonesBackend.zones`), because
/// rendered templates name subnets' zones explicitly. Not every region runs
/// `a`, `b`, `c`: ap-northeast-1 has `a`, `c`, `d` and ca-central-1 has `a`, `b`, `d`.
/// eu-west-2 also has `eu-west-2d` in AWS, left out because moto rejects it.
/// In most accounts `us-east-1e` is a constrained zone without newer instance
/// families (no c7i there), so prefer the first zones of each list.
fn availability_zones_of(code: &str) -> Option<&'static [&'static str]> {
    let zones: &'static [&'static str] = match code {
        "us-east-1" => &[
            "us-east-1a",
            "us-east-1b",
            "us-east-1c",
            "us-east-1d",
            "us-east-1e",
            "us-east-1f",
        ],
        "us-east-2" => &["us-east-2a", "us-east-2b", "us-east-2c"],
        "us-west-2" => &["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
        "ca-central-1" => &["ca-central-1a", "ca-central-1b", "ca-central-1d"],
        "sa-east-1" => &["sa-east-1a", "sa-east-1b", "sa-east-1c"],
        "eu-west-1" => &["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "eu-west-2" => &["eu-west-2a", "eu-west-2b", "eu-west-2c"],
        "eu-central-1" => &["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        "eu-north-1" => &["eu-north-1a", "eu-north-1b", "eu-north-1c"],
        "ap-south-1" => &["ap-south-1a", "ap-south-1b", "ap-south-1c"],
        "ap-southeast-1" => &["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"],
        "ap-southeast-2" => &["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        "ap-northeast-1" => &["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
        "ap-northeast-2" => &[
            "ap-northeast-2a",
            "ap-northeast-2b",
            "ap-northeast-2c",
            "ap-northeast-2d",
        ],
        "me-central-1" => &["me-central-1a", "me-central-1b", "me-central-1c"],
        "af-south-1" => &["af-south-1a", "af-south-1b", "af-south-1c"],
        _ => return None,
    };
    Some(zones)
}

/// The regions of `data/aws-regions.csv`, parsed on first use.
static REGIONS: LazyLock<Vec<RegionInfo>> = LazyLock::new(|| parse_regions(REGIONS_CSV));

/// Parses the embedded region file. Panics on a malformed row: the file is
/// compiled in and every row is exercised by the unit tests.
fn parse_regions(text: &'static str) -> Vec<RegionInfo> {
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some(REGIONS_HEADER),
        "aws-regions.csv: unexpected header"
    );
    lines
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&'static str> = line.split(',').map(str::trim).collect();
            let [code, city, lat, lon, cloudflare_region] = fields[..] else {
                panic!("aws-regions.csv: expected 5 fields in {line:?}");
            };
            let lat: f64 = lat
                .parse()
                .unwrap_or_else(|e| panic!("aws-regions.csv: bad lat in {line:?}: {e}"));
            let lon: f64 = lon
                .parse()
                .unwrap_or_else(|e| panic!("aws-regions.csv: bad lon in {line:?}: {e}"));
            assert!(
                (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon),
                "aws-regions.csv: coordinates out of range in {line:?}"
            );
            assert!(
                CLOUDFLARE_REGIONS.contains(&cloudflare_region),
                "aws-regions.csv: unknown Cloudflare region in {line:?}"
            );
            let availability_zones = availability_zones_of(code)
                .unwrap_or_else(|| panic!("aws-regions.csv: no availability zones for {code}"));
            RegionInfo {
                code,
                city,
                lat,
                lon,
                cloudflare_region,
                availability_zones,
            }
        })
        .collect()
}

/// Looks up a supported AWS region by its code (e.g. `"eu-west-1"`).
///
/// Returns `None` for regions streamscale does not support; use [`suggest`] with
/// [`regions`] codes for a "did you mean" hint.
pub fn region(code: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|r| r.code == code)
}

/// All supported AWS regions, in the order of `data/aws-regions.csv`.
pub fn regions() -> &'static [RegionInfo] {
    REGIONS.as_slice()
}

// ---------------------------------------------------------------------------
// Cloudflare load-balancing regions
// ---------------------------------------------------------------------------

/// Cloudflare load-balancing region codes, in the order of Cloudflare's API schema.
static CLOUDFLARE_REGIONS: &[&str] = &[
    "WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "SAS", "SEAS", "NEAS",
];

/// The Cloudflare load-balancing region codes: WNAM (Western North America), ENAM
/// (Eastern North America), WEU (Western Europe), EEU (Eastern Europe), NSAM
/// (Northern South America), SSAM (Southern South America), OC (Oceania), ME
/// (Middle East), NAF (Northern Africa), SAF (Southern Africa), SAS (Southern
/// Asia), SEAS (South-East Asia) and NEAS (North-East Asia).
pub fn cloudflare_regions() -> &'static [&'static str] {
    CLOUDFLARE_REGIONS
}

/// An approximate centre `(lat, lon)` in degrees of a Cloudflare load-balancing
/// region, or `None` for an unknown code.
///
/// These are hand-picked points near the middle of each region's land mass and
/// population, not official Cloudflare data; they are only good for choosing the
/// nearest AWS region (e.g. with [`great_circle_km`]), never for exact distances:
///
/// | code | point | near |
/// |---|---|---|
/// | WNAM | 40.0, −114.0 | Nevada/Utah border |
/// | ENAM | 39.0, −82.0 | southern Ohio |
/// | WEU | 48.5, 4.0 | north-eastern France |
/// | EEU | 51.0, 25.0 | western Ukraine |
/// | NSAM | 5.0, −68.0 | Colombia/Venezuela |
/// | SSAM | −25.0, −57.0 | Paraguay |
/// | OC | −27.0, 140.0 | central Australia |
/// | ME | 27.0, 45.0 | Saudi Arabia |
/// | NAF | 25.0, 12.0 | Libya/Algeria |
/// | SAF | −20.0, 25.0 | Botswana |
/// | SAS | 22.0, 79.0 | central India |
/// | SEAS | 5.0, 110.0 | South China Sea, between Malaysia and Indonesia |
/// | NEAS | 36.0, 125.0 | Yellow Sea, between China, Korea and Japan |
pub fn cloudflare_region_centroid(code: &str) -> Option<(f64, f64)> {
    let centre = match code {
        "WNAM" => (40.0, -114.0),
        "ENAM" => (39.0, -82.0),
        "WEU" => (48.5, 4.0),
        "EEU" => (51.0, 25.0),
        "NSAM" => (5.0, -68.0),
        "SSAM" => (-25.0, -57.0),
        "OC" => (-27.0, 140.0),
        "ME" => (27.0, 45.0),
        "NAF" => (25.0, 12.0),
        "SAF" => (-20.0, 25.0),
        "SAS" => (22.0, 79.0),
        "SEAS" => (5.0, 110.0),
        "NEAS" => (36.0, 125.0),
        _ => return None,
    };
    Some(centre)
}

// ---------------------------------------------------------------------------
// Prices
// ---------------------------------------------------------------------------

/// An on-demand hourly price and the date AWS published it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Price {
    /// US dollars per hour (EC2: Linux on-demand; ElastiCache: per node).
    pub usd_per_hour: Decimal,
    /// AWS's publication date of the price file, `YYYY-MM-DD`.
    pub source_date: &'static str,
}

/// One row of an embedded price file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PriceRow {
    service: &'static str,
    region: &'static str,
    instance_type: &'static str,
    price: Price,
}

/// Every row of both embedded price files, in file order.
static PRICES: LazyLock<Vec<PriceRow>> = LazyLock::new(|| {
    let mut rows = parse_prices("aws-prices.csv", PRICES_CSV);
    rows.extend(parse_prices(
        "aws-prices-elasticache-valkey.csv",
        VALKEY_PRICES_CSV,
    ));
    rows
});

/// Parses one embedded price file. Panics on a malformed row: the file is
/// compiled in and every row is exercised by the unit tests.
fn parse_prices(file: &str, text: &'static str) -> Vec<PriceRow> {
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some(PRICES_HEADER),
        "{file}: unexpected header"
    );
    lines
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&'static str> = line.split(',').map(str::trim).collect();
            let [service, region, instance_type, usd, source_date] = fields[..] else {
                panic!("{file}: expected 5 fields in {line:?}");
            };
            assert!(
                [SERVICE_EC2, SERVICE_CACHE_REDIS, SERVICE_CACHE_VALKEY].contains(&service),
                "{file}: unknown service in {line:?}"
            );
            assert!(
                !region.is_empty() && !instance_type.is_empty(),
                "{file}: empty region or instance type in {line:?}"
            );
            let usd_per_hour = Decimal::from_str(usd)
                .unwrap_or_else(|e| panic!("{file}: bad price in {line:?}: {e}"));
            assert!(
                usd_per_hour > Decimal::ZERO,
                "{file}: non-positive price in {line:?}"
            );
            assert!(
                is_iso_date(source_date),
                "{file}: source_date is not YYYY-MM-DD in {line:?}"
            );
            PriceRow {
                service,
                region,
                instance_type,
                price: Price {
                    usd_per_hour,
                    source_date,
                },
            }
        })
        .collect()
}

/// Whether `s` has the shape `YYYY-MM-DD` (digits and dashes only).
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Finds the price of `instance_type` in `region` for one service.
fn find_price(service: &str, region: &str, instance_type: &str) -> Option<Price> {
    PRICES
        .iter()
        .find(|r| r.service == service && r.region == region && r.instance_type == instance_type)
        .map(|r| r.price)
}

/// The Linux on-demand hourly price of an EC2 instance type in a region.
///
/// `None` means the price is unknown (not in the embedded file), not that it is
/// free; reports should say so rather than count it as zero.
pub fn ec2_price(region: &str, instance_type: &str) -> Option<Price> {
    find_price(SERVICE_EC2, region, instance_type)
}

/// The on-demand hourly price of one ElastiCache node.
///
/// `engine` is `"redis"` (Redis OSS prices, `elasticache` rows of
/// `aws-prices.csv`) or `"valkey"` (`aws-prices-elasticache-valkey.csv`); any other
/// engine gives `None`. As for [`ec2_price`], `None` means unknown, not zero.
pub fn cache_price(engine: &str, region: &str, node_type: &str) -> Option<Price> {
    let service = match engine {
        "redis" => SERVICE_CACHE_REDIS,
        "valkey" => SERVICE_CACHE_VALKEY,
        _ => return None,
    };
    find_price(service, region, node_type)
}

/// The distinct `(service, source_date)` pairs of the embedded prices, in file
/// order: `("ec2", …)`, `("elasticache", …)`, `("elasticache-valkey", …)`.
/// Reports cite these so readers know how old the prices are.
pub fn price_source_dates() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for row in PRICES.iter() {
        let pair = (row.service, row.price.source_date);
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Great-circle distance in kilometres between two `(lat, lon)` points in degrees,
/// by the haversine formula on a sphere of mean Earth radius 6371.0088 km.
/// Accurate to about 0.5% against the ellipsoid; enough to rank regions by distance.
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_MEAN_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The closest candidate to `input` for a "did you mean" hint on an unknown region
/// or instance type, or `None` when nothing is close.
///
/// Closeness is the Levenshtein edit distance, compared case-insensitively; a
/// candidate qualifies when the distance is at most a third of the input's length
/// (minimum 2). Ties go to the earliest candidate, so the result is deterministic.
/// An exact match is returned as is.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input: Vec<char> = input.trim().to_lowercase().chars().collect();
    if input.is_empty() {
        return None;
    }
    let limit = (input.len() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lowered: Vec<char> = candidate.to_lowercase().chars().collect();
        let distance = levenshtein(&input, &lowered);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein edit distance (insertions, deletions, substitutions) between two
/// character sequences.
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Number of data rows (lines after the header) of an embedded CSV file.
    fn data_rows(text: &str) -> usize {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    #[test]
    fn every_price_row_parses() {
        let rows = &*PRICES;
        assert_eq!(
            rows.len(),
            data_rows(PRICES_CSV) + data_rows(VALKEY_PRICES_CSV)
        );
        assert_eq!(rows.len(), 244 + 56);
        for (i, a) in rows.iter().enumerate() {
            for b in &rows[i + 1..] {
                assert!(
                    (a.service, a.region, a.instance_type)
                        != (b.service, b.region, b.instance_type),
                    "duplicate price row {a:?}"
                );
            }
        }
    }

    #[test]
    fn every_priced_type_and_region_is_in_the_catalog() {
        for row in PRICES.iter() {
            assert!(region(row.region).is_some(), "unknown region in {row:?}");
            if row.service == SERVICE_EC2 {
                assert!(instance_type(row.instance_type).is_some(), "{row:?}");
            } else {
                assert!(cache_node_type(row.instance_type).is_some(), "{row:?}");
            }
        }
    }

    #[test]
    fn every_region_row_parses_with_zones_and_cloudflare_region() {
        let codes: Vec<&str> = REGIONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(codes.len(), 16);
        let listed: Vec<&str> = regions().iter().map(|r| r.code).collect();
        assert_eq!(listed, codes, "regions() must follow the file's order");
        for code in codes {
            let r = region(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(r.availability_zones.len() >= 2, "{code}: fewer than 2 AZs");
            assert!(
                cloudflare_regions().contains(&r.cloudflare_region),
                "{code}: {} is not a Cloudflare region",
                r.cloudflare_region
            );
            let mut sorted = r.availability_zones.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                sorted, r.availability_zones,
                "{code}: AZs not in name order"
            );
            for az in r.availability_zones {
                let suffix = az.strip_prefix(code).unwrap_or_else(|| panic!("{az}"));
                assert!(
                    suffix.len() == 1 && suffix.as_bytes()[0].is_ascii_lowercase(),
                    "{az}"
                );
            }
        }
        assert!(region("us-west-1").is_none());
    }

    #[test]
    fn ap_northeast_1_has_no_zone_b() {
        let zones = region("ap-northeast-1").unwrap().availability_zones;
        assert!(!zones.contains(&"ap-northeast-1b"));
        assert_eq!(
            zones,
            ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
        );
    }

    #[test]
    fn instance_type_figures() {
        let t = instance_type("c7i.2xlarge").unwrap();
        assert_eq!((t.vcpus, t.memory_gib), (8, 16));
        assert_eq!((t.arch, t.vendor), (Arch::X86_64, CpuVendor::Intel));
        let t = instance_type("t3.medium").unwrap();
        assert_eq!((t.vcpus, t.memory_gib), (2, 4));
        let t = instance_type("r8g.48xlarge").unwrap();
        assert_eq!((t.vcpus, t.memory_gib, t.arch), (192, 1536, Arch::Arm64));
        assert!(instance_type("c7g.24xlarge").is_none());
        assert!(instance_type("c7i.2XLARGE").is_none());
    }

    #[test]
    fn instance_table_is_consistent() {
        let names: Vec<&str> = instance_types().iter().map(|t| t.name).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[i + 1..].contains(n), "duplicate {n}");
        }
        let size_vcpus = [
            ("large", 2),
            ("xlarge", 4),
            ("2xlarge", 8),
            ("4xlarge", 16),
            ("8xlarge", 32),
            ("12xlarge", 48),
            ("16xlarge", 64),
            ("24xlarge", 96),
            ("32xlarge", 128),
            ("48xlarge", 192),
        ];
        for t in instance_types().iter().filter(|t| t.name != "t3.medium") {
            let (family, size) = t.name.split_once('.').unwrap();
            let vcpus = size_vcpus.iter().find(|(s, _)| *s == size).unwrap().1;
            assert_eq!(t.vcpus, vcpus, "{}", t.name);
            let gib_per_vcpu = match &family[..1] {
                "c" => 2,
                "m" => 4,
                "r" => 8,
                other => panic!("unexpected family {other}"),
            };
            assert_eq!(t.memory_gib, t.vcpus * gib_per_vcpu, "{}", t.name);
            let (arch, vendor) = match family.as_bytes()[2] {
                b'i' => (Arch::X86_64, CpuVendor::Intel),
                b'a' => (Arch::X86_64, CpuVendor::Amd),
                b'g' => (Arch::Arm64, CpuVendor::Graviton),
                _ => panic!("{}", t.name),
            };
            assert_eq!((t.arch, t.vendor), (arch, vendor), "{}", t.name);
        }
        for family in [
            "c6i", "c6a", "c6g", "c7i", "c7a", "c7g", "c8g", "m6i", "m6a", "m6g", "m7i", "m7a",
            "m7g", "m8g", "r6i", "r6a", "r6g", "r7i", "r7a", "r7g", "r8g",
        ] {
            for size in [
                "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge",
            ] {
                assert!(
                    instance_type(&format!("{family}.{size}")).is_some(),
                    "{family}.{size} missing"
                );
            }
        }
    }

    #[test]
    fn cache_node_figures() {
        let n = cache_node_type("cache.r7g.large").unwrap();
        assert_eq!((n.vcpus, n.memory_gib), (2, 13.07));
        let n = cache_node_type("cache.m7g.large").unwrap();
        assert_eq!((n.vcpus, n.memory_gib), (2, 6.38));
        assert!(cache_node_type("r7g.large").is_none());
    }

    #[test]
    fn prices() {
        let p = ec2_price("us-east-1", "c7i.large").unwrap();
        assert_eq!(p.usd_per_hour, Decimal::new(8925, 5));
        assert_eq!(p.source_date, "2025-04-04");
        assert!(
            !PRICES_CSV.contains("ec2,af-south-1,c7i.large,"),
            "fixture changed: pick another missing price"
        );
        assert_eq!(ec2_price("af-south-1", "c7i.large"), None);
        assert_eq!(ec2_price("us-east-1", "cache.r7g.large"), None);

        let redis = cache_price("redis", "us-east-1", "cache.r7g.large").unwrap();
        let valkey = cache_price("valkey", "us-east-1", "cache.r7g.large").unwrap();
        assert_eq!(valkey.usd_per_hour, Decimal::new(1752, 4));
        assert_eq!(valkey.source_date, "2025-03-14");
        assert!(valkey.usd_per_hour < redis.usd_per_hour);
        assert_eq!(
            cache_price("memcached", "us-east-1", "cache.r7g.large"),
            None
        );
        assert_eq!(cache_price("redis", "us-east-1", "c7i.large"), None);
    }

    #[test]
    fn source_dates() {
        assert_eq!(
            price_source_dates(),
            vec![
                ("ec2", "2025-04-04"),
                ("elasticache", "2025-03-14"),
                ("elasticache-valkey", "2025-03-14"),
            ]
        );
    }

    #[test]
    fn great_circle_london_frankfurt() {
        let london = region("eu-west-2").unwrap();
        let frankfurt = region("eu-central-1").unwrap();
        let d = great_circle_km((london.lat, london.lon), (frankfurt.lat, frankfurt.lon));
        assert!((636.0..=640.0).contains(&d), "{d}");
        assert_eq!(great_circle_km((10.0, 20.0), (10.0, 20.0)), 0.0);
        let antipodes = great_circle_km((0.0, 0.0), (0.0, 180.0));
        assert!((antipodes - std::f64::consts::PI * EARTH_MEAN_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn cloudflare_centroids() {
        assert_eq!(cloudflare_regions().len(), 13);
        for code in cloudflare_regions() {
            let (lat, lon) = cloudflare_region_centroid(code).unwrap();
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        }
        assert_eq!(cloudflare_region_centroid("XX"), None);
        // Each AWS region lies reasonably near the centre of its Cloudflare region.
        for r in regions() {
            let c = cloudflare_region_centroid(r.cloudflare_region).unwrap();
            let d = great_circle_km((r.lat, r.lon), c);
            assert!(
                d < 2500.0,
                "{} is {d} km from {}",
                r.code,
                r.cloudflare_region
            );
        }
    }

    #[test]
    fn suggestions() {
        let codes = || regions().iter().map(|r| r.code);
        assert_eq!(suggest("us-east1", codes()), Some("us-east-1"));
        assert_eq!(suggest("EU-WEST-1", codes()), Some("eu-west-1"));
        assert_eq!(suggest("eu-wset-2", codes()), Some("eu-west-2"));
        assert_eq!(suggest("mars-north-9", codes()), None);
        assert_eq!(suggest("", codes()), None);
        let types = || instance_types().iter().map(|t| t.name);
        assert_eq!(suggest("c7i.2xlarg", types()), Some("c7i.2xlarge"));
        assert_eq!(suggest("c7i.xlarge", types()), Some("c7i.xlarge"));
        assert_eq!(levenshtein(&['a', 'b', 'c'], &['y', 'a', 'b']), 2);
    }

    #[test]
    fn serialises_enums_in_lowercase() {
        assert_eq!(serde_json::to_string(&Arch::X86_64).unwrap(), "\"x86_64\"");
        assert_eq!(serde_json::to_string(&Arch::Arm64).unwrap(), "\"arm64\"");
        assert_eq!(
            serde_json::to_string(&CpuVendor::Graviton).unwrap(),
            "\"graviton\""
        );
    }
}
