//! Loading from disk: roots, nested stacks, parameter files, files that are not templates.

use std::path::Path;

use moat_cloudformation::resolve::load;
use moat_cloudformation::Options;
use moat_model::Unknown;

mod common;
use common::{attr, errors};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

const PARENT: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Net:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./stacks/net.yaml
      Parameters:
        VpcId: !Ref Vpc
        Env: !Ref Env
  Web:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: !GetAtt Net.Outputs.SubnetId
      Name: !GetAtt Net.Outputs.Name
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/other.yaml
"#;

const CHILD: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VpcId
      CidrBlock: 10.0.1.0/24
  DevOnly:
    Type: AWS::EC2::Subnet
    Condition: IsProd
    Properties:
      VpcId: !Ref VpcId
      CidrBlock: !Sub "10.0.2.0/24"
Outputs:
  SubnetId:
    Value: !Ref Subnet
  Name:
    Value: !Sub "${Env}-net"
"#;

#[test]
fn nested_stacks_get_prefixed_addresses_parameters_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.yaml", PARENT);
    write(dir.path(), "stacks/net.yaml", CHILD);
    let estates = load(dir.path(), &Options::default());
    // The child is not a root of its own.
    assert_eq!(estates.len(), 1);
    let e = &estates[0];
    assert_eq!(e.root, "main.yaml");
    assert!(e.errors.is_empty(), "{:?}", errors(e));
    let names: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        names,
        vec!["Net", "Net.DevOnly", "Net.Subnet", "Remote", "Vpc", "Web"]
    );
    let sub = e.get(e.by_address("Net.Subnet").unwrap()).unwrap();
    assert_eq!(sub.module, "Net");
    assert_eq!(sub.name, "Subnet");
    assert_eq!(sub.loc.file.as_ref(), "stacks/net.yaml");
    assert_eq!(sub.loc.line, 10);
    // The parent's reference passes through the parameter with the parent's address.
    assert_eq!(
        attr(e, "Net.Subnet", "VpcId").computed_ref(),
        Some(("Vpc", "Ref"))
    );
    // The child's output resolves to the child's address; a known output is plain.
    assert_eq!(
        attr(e, "Web", "SubnetId").computed_ref(),
        Some(("Net.Subnet", "Ref"))
    );
    assert_eq!(attr(e, "Web", "SubnetId").line(), Some(21));
    assert_eq!(attr(e, "Web", "Name").as_str(), Some("prod-net"));
    let web = e.by_address("Web").unwrap();
    let to: Vec<&str> = e
        .refs_from(web)
        .map(|x| e.get(x.to).unwrap().address.as_str())
        .collect();
    assert!(to.contains(&"Net.Subnet"), "{to:?}");
    assert_eq!(e.files_scanned, 2);
    assert!(e.sources.contains_key("stacks/net.yaml"));
    let notes: Vec<String> = e
        .notes
        .iter()
        .map(|n| format!("{}:{} {}", n.file, n.line, n.message))
        .collect();
    assert_eq!(
        notes,
        vec!["main.yaml:26 nested stack `Remote` not read: remote `TemplateURL` `https://s3.amazonaws.com/bucket/other.yaml`"]
    );
}

#[test]
fn parameter_values_passed_to_a_child_decide_its_conditions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.yaml", PARENT);
    write(dir.path(), "stacks/net.yaml", CHILD);
    let opts = Options {
        parameters: vec![("Env".into(), "dev".into())],
        ..Options::default()
    };
    let estates = load(dir.path(), &opts);
    let e = &estates[0];
    assert!(e.by_address("Net.DevOnly").is_none());
    assert_eq!(attr(e, "Web", "Name").as_str(), Some("dev-net"));
}

#[test]
fn a_single_file_reads_its_nested_stacks_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.yaml", PARENT);
    write(dir.path(), "stacks/net.yaml", CHILD);
    let estates = load(&dir.path().join("main.yaml"), &Options::default());
    assert_eq!(estates.len(), 1);
    assert_eq!(estates[0].root, "main.yaml");
    assert!(estates[0].by_address("Net.Subnet").is_some());
}

#[test]
fn nested_stack_cycles_missing_children_and_outputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        "Resources:\n  B:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: b.yaml\n  X:\n    Type: AWS::Test::Thing\n    Properties:\n      V: !GetAtt B.Outputs.Nope\n",
    );
    write(
        dir.path(),
        "b.yaml",
        "Resources:\n  A:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./a.yaml\n",
    );
    write(
        dir.path(),
        "c.yaml",
        "Resources:\n  M:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: missing.yaml\n      Parameters: {Unused: 1}\n",
    );
    let estates = load(dir.path(), &Options::default());
    let roots: Vec<&str> = estates.iter().map(|e| e.root.as_str()).collect();
    // a and b name each other: neither is reached from a root, so both are roots.
    assert_eq!(roots, vec!["a.yaml", "b.yaml", "c.yaml"]);
    let a = &estates[0];
    let errs = errors(a);
    assert!(
        errs.iter().any(
            |m| m.starts_with("b.yaml:5 nested stack `A` not read: `./a.yaml` includes itself")
        ),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|m| m == "a.yaml:9 nested stack `B` has no output `Nope`"),
        "{errs:?}"
    );
    assert!(a.by_address("B.A").is_some());
    let c = &estates[2];
    let errs = errors(c);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0] == "c.yaml:5 nested stack `M` not read: `missing.yaml`: cannot read file: no such file or directory",
        "{errs:?}"
    );
}

#[test]
fn files_that_are_not_templates_are_ignored_unless_they_look_like_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "k8s.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
    );
    write(dir.path(), "broken-ci.yml", "jobs: [unclosed\n");
    write(dir.path(), "package.json", "{\"name\": \"x\"}");
    write(
        dir.path(),
        "bad.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n",
    );
    write(
        dir.path(),
        "good.json",
        "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}",
    );
    let estates = load(dir.path(), &Options::default());
    let roots: Vec<&str> = estates.iter().map(|e| e.root.as_str()).collect();
    assert_eq!(roots, vec!["bad.yaml", "good.json"]);
    assert_eq!(estates[0].errors.len(), 1);
    assert_eq!(estates[0].errors[0].file, "bad.yaml");
    assert!(estates[0].errors[0].line >= 5, "{:?}", estates[0].errors);
    assert!(estates[1].errors.is_empty());
    assert!(estates[1].by_address("B").is_some());
}

#[test]
fn parameter_files_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "t.yaml",
        "Parameters:\n  A: {Type: String}\n  B: {Type: String, Default: b0}\n  C: {Type: CommaDelimitedList}\n  D: {Type: String, Default: d0}\nResources:\n  R:\n    Type: AWS::Test::Thing\n    Properties: {A: !Ref A, B: !Ref B, C: !Ref C, D: !Ref D}\n",
    );
    write(
        dir.path(),
        "cli.json",
        r#"[{"ParameterKey": "A", "ParameterValue": "a1"}, {"ParameterKey": "B", "ParameterValue": "b1"}, {"ParameterKey": "D", "UsePreviousValue": true}]"#,
    );
    write(
        dir.path(),
        "config.json",
        r#"{"Parameters": {"B": "b2", "C": "x,y"}, "Tags": {"team": "t"}}"#,
    );
    write(dir.path(), "bad.json", "{\"Parameters\": [1,\n");
    let opts = Options {
        parameter_files: vec![
            dir.path().join("cli.json"),
            dir.path().join("config.json"),
            dir.path().join("bad.json"),
        ],
        parameters: vec![("A".into(), "a3".into())],
        ..Options::default()
    };
    let estates = load(&dir.path().join("t.yaml"), &opts);
    let e = &estates[0];
    assert_eq!(attr(e, "R", "A").as_str(), Some("a3"));
    assert_eq!(attr(e, "R", "B").as_str(), Some("b2"));
    assert_eq!(attr(e, "R", "C").string_list(), vec!["x", "y"]);
    let d = attr(e, "R", "D").unknown_reason().unwrap().to_string();
    assert!(d.contains("UsePreviousValue"), "{d}");
    assert_eq!(e.errors.len(), 1, "{:?}", errors(e));
    assert!(e.errors[0].file.ends_with("bad.json"));
    assert!(e.errors[0]
        .message
        .starts_with("parameter file is not valid JSON"));
    match attr(e, "R", "D").unknown_reason() {
        Some(Unknown::Derived { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_parameter_the_child_does_not_declare_is_an_error_in_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.yaml",
        "Resources:\n  L:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: leaf.yaml\n      Parameters:\n        Known: k\n        Unused: 1\n",
    );
    write(
        dir.path(),
        "leaf.yaml",
        "Parameters:\n  Known: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !Ref Known}\n",
    );
    let estates = load(dir.path(), &Options::default());
    assert_eq!(estates.len(), 1);
    let e = &estates[0];
    assert_eq!(
        errors(e),
        vec!["main.yaml:8 parameter `Unused` is passed to a nested stack whose template `leaf.yaml` does not declare it"]
    );
    assert_eq!(attr(e, "L.Q", "QueueName").as_str(), Some("k"));
}

#[test]
fn sam_templates_are_transformed_and_local_applications_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          QUEUE: !GetAtt App.Outputs.QueueUrl
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location: apps/queue.yaml
"#,
    );
    write(
        dir.path(),
        "apps/queue.yaml",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  QueueUrl:\n    Value: !Ref Q\n",
    );
    let estates = load(dir.path(), &Options::default());
    assert_eq!(
        estates.len(),
        1,
        "{:?}",
        estates.iter().map(|e| &e.root).collect::<Vec<_>>()
    );
    let e = &estates[0];
    assert!(e.errors.is_empty(), "{:?}", errors(e));
    let f = e.get(e.by_address("Fn").unwrap()).unwrap();
    assert_eq!(f.rtype, "AWS::Lambda::Function");
    assert!(e.by_address("FnRole").is_some());
    let app = e.get(e.by_address("App").unwrap()).unwrap();
    assert_eq!(app.rtype, "AWS::CloudFormation::Stack");
    assert!(e.by_address("App.Q").is_some());
    assert_eq!(
        attr(e, "Fn", "Environment.Variables.QUEUE").computed_ref(),
        Some(("App.Q", "Ref"))
    );
}

#[test]
fn nesting_deeper_than_ten_stacks_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..13 {
        write(
            dir.path(),
            &format!("s{i}.yaml"),
            &format!(
                "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  N:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: s{}.yaml\n",
                i + 1
            ),
        );
    }
    write(
        dir.path(),
        "s13.yaml",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    );
    let estates = load(dir.path(), &Options::default());
    assert_eq!(estates.len(), 1);
    let e = &estates[0];
    assert_eq!(e.root, "s0.yaml");
    // s0 is depth 0; the stack at depth 10 is read, the one below it is not.
    let deepest = format!("{}Q", "N.".repeat(10));
    assert!(e.by_address(&deepest).is_some());
    assert!(e.by_address(&format!("N.{deepest}")).is_none());
    assert_eq!(
        errors(e),
        vec!["s10.yaml:7 nested stack `N` not read: nested stacks deeper than 10 levels are not read"]
    );
    let r = e.get(e.by_address(&deepest).unwrap()).unwrap();
    assert_eq!(r.module, "N.N.N.N.N.N.N.N.N.N");
}
