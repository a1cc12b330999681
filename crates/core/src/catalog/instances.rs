//! The EC2 instance-type table (vCPUs, memory, architecture, CPU vendor) and
//! the ElastiCache node-type table.

use serde::Serialize;

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
/// Returns `None` for types not in the table; use [`suggest`](super::suggest)
/// with [`instance_types`] names for a "did you mean" hint.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// All known EC2 instance types, grouped by family and ordered by size.
pub fn instance_types() -> &'static [InstanceType] {
    INSTANCE_TYPES
}

/// The EC2 instance families AWS offers (Amazon EC2 Instance Types guide,
/// https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html,
/// as of 2026-12), far more than the catalogue sizes and prices.
const AWS_FAMILIES: &[&str] = &[
    // general purpose
    "a1",
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m5a",
    "m5ad",
    "m5d",
    "m5dn",
    "m5n",
    "m5zn",
    "m6a",
    "m6g",
    "m6gd",
    "m6i",
    "m6id",
    "m6idn",
    "m6in",
    "m7a",
    "m7g",
    "m7gd",
    "m7i",
    "m7i-flex",
    "m8a",
    "m8g",
    "m8gd",
    "m8i",
    "m8i-flex",
    "mac1",
    "mac2",
    "mac2-m1ultra",
    "mac2-m2",
    "mac2-m2pro",
    "t1",
    "t2",
    "t3",
    "t3a",
    "t4g",
    // compute optimized
    "c1",
    "c3",
    "c4",
    "c5",
    "c5a",
    "c5ad",
    "c5d",
    "c5n",
    "c6a",
    "c6g",
    "c6gd",
    "c6gn",
    "c6i",
    "c6id",
    "c6in",
    "c7a",
    "c7g",
    "c7gd",
    "c7gn",
    "c7i",
    "c7i-flex",
    "c8g",
    "c8gd",
    "c8gn",
    "c8i",
    // memory optimized
    "r3",
    "r4",
    "r5",
    "r5a",
    "r5ad",
    "r5b",
    "r5d",
    "r5dn",
    "r5n",
    "r6a",
    "r6g",
    "r6gd",
    "r6i",
    "r6id",
    "r6idn",
    "r6in",
    "r7a",
    "r7g",
    "r7gd",
    "r7i",
    "r7iz",
    "r8g",
    "r8gd",
    "r8i",
    "x1",
    "x1e",
    "x2gd",
    "x2idn",
    "x2iedn",
    "x2iezn",
    "x8g",
    "z1d",
    "u-3tb1",
    "u-6tb1",
    "u-9tb1",
    "u-12tb1",
    "u-18tb1",
    "u-24tb1",
    "u7i-6tb",
    "u7i-8tb",
    "u7i-12tb",
    "u7in-16tb",
    "u7in-24tb",
    "u7in-32tb",
    // storage optimized
    "d2",
    "d3",
    "d3en",
    "h1",
    "i2",
    "i3",
    "i3en",
    "i4g",
    "i4i",
    "i7i",
    "i7ie",
    "i8g",
    "im4gn",
    "is4gen",
    // accelerated computing
    "dl1",
    "dl2q",
    "f1",
    "f2",
    "g3",
    "g4ad",
    "g4dn",
    "g5",
    "g5g",
    "g6",
    "g6e",
    "gr6",
    "inf1",
    "inf2",
    "p2",
    "p3",
    "p3dn",
    "p4d",
    "p4de",
    "p5",
    "p5e",
    "p5en",
    "trn1",
    "trn1n",
    "trn2",
    "vt1",
    // high-performance computing
    "hpc6a",
    "hpc6id",
    "hpc7a",
    "hpc7g",
];

/// Whether `name` is the name of an EC2 instance type AWS offers: one of
/// its families and a size of AWS's form (`nano` … `xlarge`, `Nxlarge`,
/// `metal`, `metal-Nxl`). Exactly what streamscale cannot size is the
/// difference with [`instance_type`].
pub fn aws_offers_instance_type(name: &str) -> bool {
    let Some((family, size)) = name.split_once('.') else {
        return false;
    };
    let numbered = |s: &str, suffix: &str| {
        s.strip_suffix(suffix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let size_ok = matches!(
        size,
        "nano" | "micro" | "small" | "medium" | "large" | "xlarge" | "metal"
    ) || numbered(size, "xlarge")
        || size
            .strip_prefix("metal-")
            .is_some_and(|s| numbered(s, "xl"));
    size_ok && AWS_FAMILIES.contains(&family)
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn serialises_enums_in_lowercase() {
        assert_eq!(serde_json::to_string(&Arch::X86_64).unwrap(), "\"x86_64\"");
        assert_eq!(serde_json::to_string(&Arch::Arm64).unwrap(), "\"arm64\"");
        assert_eq!(
            serde_json::to_string(&CpuVendor::Graviton).unwrap(),
            "\"graviton\""
        );
    }
}
