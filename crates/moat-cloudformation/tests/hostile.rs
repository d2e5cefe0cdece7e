//! Hostile input: alias bombs, deep nesting, huge collections. Each must end in an error
//! quickly, never a hang, a stack overflow or a panic.

use std::sync::Arc;
use std::time::Instant;

use moat_cloudformation::parse::{parse, parse_json, parse_yaml, MAX_ALIAS_NODES, MAX_DEPTH};
use moat_model::Limits;

fn yaml(text: &str) -> Result<moat_model::Node, moat_model::ScanError> {
    parse_yaml(Arc::from("bomb.yaml"), text, &Limits::default())
}

#[test]
fn billion_laughs_is_refused() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let started = Instant::now();
    let e = yaml(&text).unwrap_err();
    eprintln!("alias bomb refused in {:?}", started.elapsed());
    assert_eq!(e.file, "bomb.yaml");
    assert!(
        e.message
            .contains(&format!("alias expansion exceeds {MAX_ALIAS_NODES} nodes")),
        "{}",
        e.message
    );
    // 10 * 10^k nodes: the line where the running total crosses the cap.
    assert!((6..=8).contains(&e.line), "{e:?}");
}

#[test]
fn modest_aliases_are_expanded() {
    let text = "T: &t {Key: k, Value: v}\nA: [*t, *t, *t]\n";
    let n = yaml(text).unwrap();
    let moat_model::Value::Map(m) = &n.value else {
        panic!()
    };
    let moat_model::Value::List(l) = &m["A"].value else {
        panic!()
    };
    assert_eq!(l.len(), 3);
    assert_eq!(l[2].loc.as_ref().unwrap().line, 2);
}

#[test]
fn deep_flow_nesting_is_refused() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let text = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
        let e = yaml(&text).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion limit"),
            "{}",
            e.message
        );
    }
}

#[test]
fn deep_block_nesting_is_refused() {
    // `- - - - ... 1`: a block sequence per `- `, all on one line.
    let text = format!("{}1\n", "- ".repeat(100_000));
    let e = yaml(&text).unwrap_err();
    assert!(
        e.message
            .contains(&format!("nesting deeper than {MAX_DEPTH} levels")),
        "{}",
        e.message
    );
    // Indented mappings, 300 deep.
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    let e = yaml(&text).unwrap_err();
    assert_eq!(e.line, u32::try_from(MAX_DEPTH).unwrap(), "{e:?}");
}

#[test]
fn alias_cannot_exceed_depth() {
    // 200 levels anchored, then used 200 levels down: 400 deep after expansion.
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let text = format!(
        "a: &d {deep}\nb: {}*d{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    let e = yaml(&text).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("nesting"), "{}", e.message);
}

#[test]
fn deep_json_is_refused() {
    let text = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = parse_json(Arc::from("deep.json"), &text, &Limits::default()).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("deep.json", 1));
    assert!(e.message.contains("nesting deeper than"), "{}", e.message);
    let text = format!("{}1{}", "{\"a\":\n".repeat(100_000), "}".repeat(100_000));
    let e = parse_json(Arc::from("deep.json"), &text, &Limits::default()).unwrap_err();
    assert_eq!(e.line, u32::try_from(MAX_DEPTH).unwrap() + 1);
    // Brackets inside strings do not count.
    let text = format!("{{\"a\": \"{}\"}}", "[".repeat(1000));
    assert!(parse_json(Arc::from("s.json"), &text, &Limits::default()).is_ok());
}

#[test]
fn deep_input_through_parse_does_not_overflow() {
    // Not `.json` and starting with `{`: JSON first, then YAML; both refuse.
    let text = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert!(parse(Arc::from("deep.template"), &text, &Limits::default()).is_err());
}

#[test]
fn big_json_template_is_fast() {
    let mut text =
        String::from("{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\n");
    let mut i = 0;
    while text.len() < 5_000_000 {
        text.push_str(&format!(
            "  \"Sg{i}\": {{\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {{\"GroupDescription\": \"group {i}\", \"SecurityGroupIngress\": [{{\"IpProtocol\": \"tcp\", \"FromPort\": 443, \"ToPort\": 443, \"CidrIp\": \"10.0.0.0/8\"}}]}}}},\n"
        ));
        i += 1;
    }
    text.push_str("  \"Last\": {\"Type\": \"AWS::S3::Bucket\"}\n}}\n");
    let started = Instant::now();
    let n = parse_json(Arc::from("big.json"), &text, &Limits::default()).unwrap();
    eprintln!(
        "{} bytes of JSON parsed in {:?}",
        text.len(),
        started.elapsed()
    );
    assert!(moat_cloudformation::is_template(&n));
    // The same as one minified line (columns are counted incrementally).
    let flat = text.replace('\n', " ");
    let started = Instant::now();
    parse_json(Arc::from("flat.json"), &flat, &Limits::default()).unwrap();
    eprintln!(
        "{} bytes of one-line JSON parsed in {:?}",
        flat.len(),
        started.elapsed()
    );
}

#[test]
fn big_yaml_template_parses() {
    let mut text = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    let mut i = 0;
    while text.len() < 5_000_000 {
        text.push_str(&format!(
            "  Sg{i}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Sub 'group ${{AWS::Region}} {i}'\n      VpcId: !Ref Vpc\n"
        ));
        i += 1;
    }
    let started = Instant::now();
    let n = parse_yaml(Arc::from("big.yaml"), &text, &Limits::default()).unwrap();
    eprintln!(
        "{} bytes of YAML parsed in {:?}",
        text.len(),
        started.elapsed()
    );
    assert!(moat_cloudformation::is_template(&n));
}

mod files {
    use std::path::Path;
    use std::sync::Arc;

    use moat_cloudformation::walk::{is_candidate, parse_template, read, walk};
    use moat_model::{Limits, Sandbox};

    fn names(root: &Path, files: &[std::path::PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|p| moat_model::files::relative(p, root))
            .collect()
    }

    #[test]
    fn candidates() {
        for yes in [
            "template.yaml",
            "a.yml",
            "stack.json",
            "x.template",
            "B.YAML",
        ] {
            assert!(is_candidate(yes), "{yes}");
        }
        for no in [
            "main.tf",
            "main.tf.json",
            "prod.tfvars.json",
            "README.md",
            "a.yaml.bak",
        ] {
            assert!(!is_candidate(no), "{no}");
        }
    }

    #[test]
    fn walk_skips_hidden_and_node_modules_and_refuses_links_out() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "Resources: {}\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("stacks/nested")).unwrap();
        std::fs::create_dir_all(root.join(".aws-sam/build")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
        std::fs::create_dir_all(root.join("cdk.out")).unwrap();
        for f in [
            "template.yaml",
            "stacks/net.json",
            "stacks/nested/db.template",
            "main.tf.json",
            ".aws-sam/build/template.yaml",
            "node_modules/pkg/package.json",
            "cdk.out/App.template.json",
            "notes.txt",
        ] {
            std::fs::write(root.join(f), "{}").unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret.yaml"), root.join("out.yaml"))
                .unwrap();
            std::os::unix::fs::symlink(root.join("template.yaml"), root.join("in.yaml")).unwrap();
            let fifo = root.join("pipe.yaml");
            let status = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(status.is_ok_and(|s| s.success()));
        }
        let sandbox = Sandbox::new(root);
        let (files, errors) = walk(root, &sandbox);
        let mut expected = vec![
            "cdk.out/App.template.json",
            "stacks/nested/db.template",
            "stacks/net.json",
            "template.yaml",
        ];
        #[cfg(unix)]
        expected.push("in.yaml");
        expected.sort();
        let mut got = names(root, &files);
        got.sort();
        assert_eq!(got, expected);
        #[cfg(unix)]
        {
            let errs: Vec<(String, String)> = errors
                .iter()
                .map(|e| (e.file.clone(), e.message.clone()))
                .collect();
            assert!(
                errs.iter()
                    .any(|(f, m)| f == "out.yaml" && m.contains("outside the scanned tree")),
                "{errs:?}"
            );
            assert!(
                errs.iter()
                    .any(|(f, m)| f == "pipe.yaml" && m.contains("not a regular file")),
                "{errs:?}"
            );
            // Reading the link out of the tree directly is refused too.
            let e = read(&sandbox, &root.join("out.yaml"), Arc::from("out.yaml")).unwrap_err();
            assert!(
                e.message.contains("outside the scanned tree"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn read_decodes_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        std::fs::write(root.join("le.yaml"), le).unwrap();
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        std::fs::write(root.join("be.yaml"), be).unwrap();
        std::fs::write(root.join("bom.yaml"), format!("\u{feff}{text}")).unwrap();
        std::fs::write(root.join("bad.yaml"), b"Resources:\n  \xFF: 1\n").unwrap();
        let mut sandbox = Sandbox::new(root);
        for f in ["le.yaml", "be.yaml", "bom.yaml"] {
            let t = read(&sandbox, &root.join(f), Arc::from(f)).unwrap();
            assert_eq!(&*t, text, "{f}");
            let n = parse_template(Arc::from(f), &t, &Limits::default()).unwrap();
            assert!(n.is_some(), "{f}");
        }
        let e = read(&sandbox, &root.join("bad.yaml"), Arc::from("bad.yaml")).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bad.yaml", 2));
        assert!(e.message.contains("not valid UTF-8"), "{}", e.message);
        sandbox.max_bytes = 10;
        let e = read(&sandbox, &root.join("bom.yaml"), Arc::from("bom.yaml")).unwrap_err();
        assert!(e.message.contains("larger than 10 bytes"), "{}", e.message);
    }

    #[test]
    fn parse_template_skips_other_files() {
        let l = Limits::default();
        // Not YAML at all (a Helm chart), and not a template: no error.
        let helm = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n";
        assert_eq!(parse_template(Arc::from("svc.yaml"), helm, &l), Ok(None));
        // Mentions the words but is no template.
        let k8s = "kind: ConfigMap\ndata:\n  Resources: AWS::S3::Bucket\n";
        assert_eq!(parse_template(Arc::from("cm.yaml"), k8s, &l), Ok(None));
        // A broken template is an error.
        let broken = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: [\n";
        let e = parse_template(Arc::from("t.yaml"), broken, &l).unwrap_err();
        assert_eq!(e.file, "t.yaml");
    }
}
