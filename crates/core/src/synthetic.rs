//! Synthetic capacity plans of any number of regions, for benchmarks and
//! scale tests: every region of the catalog in order, equal shares, a
//! cache, two events and Cloudflare, so the whole template is exercised.

/// A plan over the first `n` regions of the catalog, with a cache, two
/// events and Cloudflare: the full template.
pub fn plan_text(n: usize) -> String {
    let n = n.clamp(1, crate::catalog::regions().len());
    let regions = &crate::catalog::regions()[..n];
    let share = rust_decimal::Decimal::ONE / rust_decimal::Decimal::from(n as u32);
    let mut s = format!(
        "name = \"bench\"\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 4000\ntarget_utilization = 0.65\nami = \"ami-0123456789abcdef0\"\n[traffic]\npeak_concurrent_users = 10000000\nbaseline_concurrent_users = 1000000\nheadroom = 0.2\nsurvive_region_loss = {}\n",
        n > 1
    );
    let mut rest = rust_decimal::Decimal::ONE;
    for (i, r) in regions.iter().enumerate() {
        let sh = if i + 1 == n { rest } else { share.round_dp(6) };
        rest -= sh;
        s.push_str(&format!(
            "[regions.{code}]\nshare = {sh}\ncertificate_arn = \"arn:aws:acm:{code}:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001\"\n",
            code = r.code
        ));
    }
    s.push_str("[cache]\nnode_type = \"cache.r7g.large\"\nshards = 2\n");
    s.push_str("[[events]]\nname = \"final\"\nstarts_at = \"2027-06-01T19:00:00Z\"\nduration_minutes = 180\nexpected_concurrent_users = 9000000\n");
    s.push_str("[[events]]\nname = \"gala\"\nstarts_at = \"2027-07-01T19:00:00Z\"\nduration_minutes = 120\nexpected_concurrent_users = 5000000\n");
    s.push_str("[cloudflare]\nzone = \"example.com\"\nhostname = \"live.example.com\"\n[[cloudflare.cache_rules]]\nname = \"segments\"\nexpression = '(http.request.uri.path.extension eq \"m4s\")'\nedge_ttl_seconds = 86400\n");
    s
}
