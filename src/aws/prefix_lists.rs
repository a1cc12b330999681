//! Reads of EC2 managed prefix lists (the Cloudflare ranges a load
//! balancer admits), under CloudFormation's property names.

use serde_json::{Value, json};

use super::AwsError;
use super::reads::found;

/// A managed prefix list: `PrefixListName`, `AddressFamily`, `MaxEntries`
/// and `Entries [{Cidr, Description}]` (every page).
pub async fn prefix_list(
    client: &aws_sdk_ec2::Client,
    region: &str,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    let Some(out) = found(
        client
            .describe_managed_prefix_lists()
            .prefix_list_ids(id)
            .send()
            .await,
        region,
        "DescribeManagedPrefixLists",
    )?
    else {
        return Ok(None);
    };
    let Some(list) = out.prefix_lists().first() else {
        return Ok(None);
    };
    let mut entries = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let Some(page) = found(
            client
                .get_managed_prefix_list_entries()
                .prefix_list_id(id)
                .set_next_token(token.clone())
                .send()
                .await,
            region,
            "GetManagedPrefixListEntries",
        )?
        else {
            return Ok(None);
        };
        for e in page.entries() {
            let mut entry = json!({"Cidr": e.cidr()});
            if let Some(d) = e.description() {
                entry["Description"] = json!(d);
            }
            entries.push(entry);
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(Some(json!({
        "PrefixListId": list.prefix_list_id(),
        "PrefixListName": list.prefix_list_name(),
        "AddressFamily": list.address_family(),
        "MaxEntries": list.max_entries(),
        "Entries": entries,
    })))
}
