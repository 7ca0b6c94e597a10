/// The localStorage key under which one item's state is kept.
///
/// It lives in the core so that the page generator, the client and any future
/// migration agree on one spelling. The `v1` segment lets a later storage schema
/// coexist with (and migrate from) this one.
pub fn item_storage_key(checklist_id: &str, item_id: &str) -> String {
    format!("checkdown:v1:{checklist_id}:{item_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_key_names_checklist_and_item() {
        assert_eq!(
            item_storage_key("deploy", "backup-database"),
            "checkdown:v1:deploy:backup-database"
        );
    }
}
