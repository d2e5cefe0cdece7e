//! Heredocs with strip markers: expected texts are what `terraform console` (1.11) prints.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use moat_terraform::parse_and_evaluate_str;

fn eval(heredoc: &str) -> String {
    let text = format!(
        "locals {{\n  xs = [\"a\", \"b\"]\n  on = true\n  env_lines = \"A=1\\nB=2\"\n}}\nresource \"test\" \"t\" {{\n  v = {heredoc}\n}}\n"
    );
    let e = parse_and_evaluate_str("main.tf", &text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let r = &e.resources[0];
    r.get("v").unwrap().as_str().unwrap().to_string()
}

#[test]
fn for_with_right_strip_dedents_only_line_start_tokens() {
    let h = "<<-EOT\n    start\n    %{ for x in local.xs ~}\n    item ${x}\n    %{ endfor ~}\n    end\n  EOT";
    assert_eq!(eval(h), "start\n    item a\n    item b\n    end\n");
}

#[test]
fn left_stripped_directive_lines_prevent_dedent() {
    let h = "<<-EOT\n    start\n      %{~ if local.on ~}\n      yes\n      %{~ else ~}\n      no\n      %{~ endif ~}\n    end\n  EOT";
    assert_eq!(eval(h), "    start\n      yes\n    end\n");
}

#[test]
fn strip_trims_one_line_token_in_plain_heredoc() {
    let h = "<<EOT\n  k=${local.on}\n%{ for x in local.xs ~}\n  - ${x}\n%{~ endfor }\ndone\nEOT";
    assert_eq!(eval(h), "  k=true\n  - a  - b\ndone\n");
}

#[test]
fn user_data_with_stripped_false_condition() {
    let h = "<<-EOT\n    #!/bin/bash\n    cat > /etc/x.env <<'ENV'\n    ${local.env_lines}\n    ENV\n    %{~ if !local.on }\n    setcap\n    %{~ endif }\n    echo \"replica\"\n  EOT";
    assert_eq!(
        eval(h),
        "    #!/bin/bash\n    cat > /etc/x.env <<'ENV'\n    A=1\nB=2\n    ENV\n\n    echo \"replica\"\n"
    );
}

#[test]
fn heredoc_without_strip_markers_is_unchanged() {
    let h = "<<-EOT\n    a ${local.on}\n      b\n  EOT";
    assert_eq!(eval(h), "a true\n  b\n");
}
