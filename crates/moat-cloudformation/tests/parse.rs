//! Parsing YAML and JSON templates into nodes: shapes, short-form tags, locations.

use std::sync::Arc;

use moat_cloudformation::detect::{is_template, may_be_template};
use moat_cloudformation::parse::{parse, parse_json, parse_yaml, SHORT_TAGS};
use moat_model::{Limits, Node, Value};

fn yaml(text: &str) -> Node {
    parse_yaml(Arc::from("t.yaml"), text, &Limits::default()).unwrap()
}

fn json(text: &str) -> Node {
    parse_json(Arc::from("t.json"), text, &Limits::default()).unwrap()
}

fn yaml_err(text: &str) -> moat_model::ScanError {
    parse_yaml(Arc::from("t.yaml"), text, &Limits::default()).unwrap_err()
}

/// The node at a dotted path (list indexes as numbers).
fn at<'a>(n: &'a Node, path: &str) -> &'a Node {
    let mut n = n;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        n = match &n.value {
            Value::Map(m) => m
                .get(part)
                .unwrap_or_else(|| panic!("no key {part} in {path}")),
            Value::List(l) => &l[part.parse::<usize>().unwrap()],
            other => panic!("{path}: {part} in {other:?}"),
        };
    }
    n
}

fn line(n: &Node, path: &str) -> u32 {
    at(n, path).loc.as_ref().unwrap().line
}

/// The value with every location removed, for comparing shapes.
fn strip(n: &Node) -> Value {
    match &n.value {
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), Node::new(strip(v), None)))
                .collect(),
        ),
        Value::List(l) => Value::List(l.iter().map(|v| Node::new(strip(v), None)).collect()),
        v => v.clone(),
    }
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

#[test]
fn every_short_tag_equals_its_long_form() {
    for (short, long) in SHORT_TAGS {
        let a = yaml(&format!("V: !{short} x\n"));
        let b = yaml(&format!("V:\n  {long}: x\n"));
        if *short == "GetAtt" {
            continue;
        }
        assert_eq!(strip(&a), strip(&b), "!{short} scalar");
        let a = yaml(&format!("V: !{short} [a, b]\n"));
        let b = yaml(&format!("V:\n  {long}:\n    - a\n    - b\n"));
        assert_eq!(strip(&a), strip(&b), "!{short} sequence");
        let a = yaml(&format!("V: !{short} {{K: v}}\n"));
        let b = yaml(&format!("V:\n  {long}:\n    K: v\n"));
        assert_eq!(strip(&a), strip(&b), "!{short} mapping");
    }
}

#[test]
fn getatt_short_forms() {
    let a = yaml("A: !GetAtt Web.PublicIp\nB: !GetAtt [Web, PublicIp]\nC: !GetAtt Db.Endpoint.Address\nD:\n  Fn::GetAtt: [Web, PublicIp]\n");
    assert_eq!(strip(at(&a, "A")), strip(at(&a, "D")));
    assert_eq!(strip(at(&a, "B")), strip(at(&a, "D")));
    assert_eq!(at(&a, "C.Fn::GetAtt.0").value, s("Db"));
    assert_eq!(at(&a, "C.Fn::GetAtt.1").value, s("Endpoint.Address"));
}

#[test]
fn ref_condition_and_nested_tags() {
    let a = yaml(
        "A: !Ref Vpc\nB: !Condition IsProd\nC: !If [IsProd, !Ref Big, !Sub '${AWS::Region}-x']\nD: !Not [!Equals [!Ref Env, prod]]\n",
    );
    assert_eq!(at(&a, "A.Ref").value, s("Vpc"));
    assert_eq!(at(&a, "B.Condition").value, s("IsProd"));
    assert_eq!(at(&a, "C.Fn::If.0").value, s("IsProd"));
    assert_eq!(at(&a, "C.Fn::If.1.Ref").value, s("Big"));
    assert_eq!(at(&a, "C.Fn::If.2.Fn::Sub").value, s("${AWS::Region}-x"));
    assert_eq!(at(&a, "D.Fn::Not.0.Fn::Equals.0.Ref").value, s("Env"));
    assert_eq!(at(&a, "D.Fn::Not.0.Fn::Equals.1").value, s("prod"));
}

#[test]
fn empty_getazs_and_foreach_keys() {
    let a = yaml("A: !GetAZs ''\nFn::ForEach::Buckets:\n  - Name\n  - [a, b]\n  - B${Name}: {Type: AWS::S3::Bucket}\n");
    assert_eq!(at(&a, "A.Fn::GetAZs").value, s(""));
    assert_eq!(at(&a, "Fn::ForEach::Buckets.0").value, s("Name"));
}

const TEMPLATE_YAML: &str = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
    Default: prod
Resources:
  WebSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
      Tags:
        - Key: Name
          Value: !Sub '${Env}-web'
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsSupport: true
";

const TEMPLATE_JSON: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {
    "Env": {
      "Type": "String",
      "Default": "prod"
    }
  },
  "Resources": {
    "WebSecurityGroup": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "web",
        "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [
          {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "CidrIp": "0.0.0.0/0"
          }
        ],
        "Tags": [
          {"Key": "Name",
           "Value": {"Fn::Sub": "${Env}-web"}}
        ]
      }
    },
    "Vpc": {
      "Type": "AWS::EC2::VPC",
      "Properties": {
        "CidrBlock": "10.0.0.0/16",
        "EnableDnsSupport": true
      }
    }
  }
}
"#;

#[test]
fn yaml_and_json_give_the_same_values() {
    let y = yaml(TEMPLATE_YAML);
    let j = json(TEMPLATE_JSON);
    assert_eq!(strip(&y), strip(&j));
    assert_eq!(
        at(
            &y,
            "Resources.WebSecurityGroup.Properties.SecurityGroupIngress.0.FromPort"
        )
        .value,
        Value::Number(443.0)
    );
    assert_eq!(at(&y, "AWSTemplateFormatVersion").value, s("2010-09-09"));
    assert_eq!(
        at(&y, "Resources.Vpc.Properties.EnableDnsSupport").value,
        Value::Bool(true)
    );
}

#[test]
fn yaml_lines() {
    let y = yaml(TEMPLATE_YAML);
    // A resource's node is at its logical ID's line.
    assert_eq!(line(&y, "Resources.WebSecurityGroup"), 7);
    assert_eq!(line(&y, "Resources.Vpc"), 20);
    assert_eq!(line(&y, "Resources.WebSecurityGroup.Type"), 8);
    assert_eq!(line(&y, "Resources.WebSecurityGroup.Properties"), 9);
    assert_eq!(line(&y, "Resources.WebSecurityGroup.Properties.VpcId"), 11);
    assert_eq!(
        line(&y, "Resources.WebSecurityGroup.Properties.VpcId.Ref"),
        11
    );
    assert_eq!(
        line(
            &y,
            "Resources.WebSecurityGroup.Properties.SecurityGroupIngress"
        ),
        12
    );
    assert_eq!(
        line(
            &y,
            "Resources.WebSecurityGroup.Properties.SecurityGroupIngress.0"
        ),
        13
    );
    assert_eq!(
        line(
            &y,
            "Resources.WebSecurityGroup.Properties.SecurityGroupIngress.0.CidrIp"
        ),
        16
    );
    assert_eq!(
        line(&y, "Resources.WebSecurityGroup.Properties.Tags.0.Value"),
        19
    );
    let key = at(&y, "Resources.WebSecurityGroup").loc.as_ref().unwrap();
    assert_eq!((&*key.file, key.column), ("t.yaml", 3));
    let v = at(
        &y,
        "Resources.WebSecurityGroup.Properties.Tags.0.Value.Fn::Sub",
    )
    .loc
    .as_ref()
    .unwrap();
    assert_eq!((v.line, v.column), (19, 18));
}

#[test]
fn json_lines() {
    let j = json(TEMPLATE_JSON);
    assert_eq!(line(&j, "Resources.WebSecurityGroup"), 10);
    assert_eq!(line(&j, "Resources.Vpc"), 29);
    assert_eq!(line(&j, "Resources.WebSecurityGroup.Properties.VpcId"), 14);
    assert_eq!(
        line(
            &j,
            "Resources.WebSecurityGroup.Properties.SecurityGroupIngress.0"
        ),
        16
    );
    assert_eq!(
        line(
            &j,
            "Resources.WebSecurityGroup.Properties.SecurityGroupIngress.0.CidrIp"
        ),
        20
    );
    assert_eq!(
        line(&j, "Resources.WebSecurityGroup.Properties.Tags.0.Value"),
        25
    );
    let key = at(&j, "Resources.Vpc").loc.as_ref().unwrap();
    assert_eq!(key.column, 5);
}

#[test]
fn json_columns_count_characters() {
    let j = json("{\"é€\": 1, \"b\": [true, null]}");
    assert_eq!(at(&j, "b").loc.as_ref().unwrap().column, 11);
    assert_eq!(at(&j, "b.1").loc.as_ref().unwrap().column, 23);
    assert_eq!(at(&j, "b.1").value, Value::Null);
}

#[test]
fn plain_scalars() {
    let y = yaml(
        "a: true\nb: False\nc: 443\nd: '443'\ne: 0123\nf: yes\ng: 1.5\nh:\ni: ~\nj: 123456789012\nk: 1234567890123456789\nl: 0x1F\nm: !!str 80\nn: !!int '80'\no: \"true\"\n",
    );
    assert_eq!(at(&y, "a").value, Value::Bool(true));
    assert_eq!(at(&y, "b").value, Value::Bool(false));
    assert_eq!(at(&y, "c").value, Value::Number(443.0));
    assert_eq!(at(&y, "d").value, s("443"));
    assert_eq!(at(&y, "e").value, s("0123"));
    assert_eq!(at(&y, "f").value, s("yes"));
    assert_eq!(at(&y, "g").value, Value::Number(1.5));
    assert_eq!(at(&y, "h").value, Value::Null);
    assert_eq!(at(&y, "i").value, Value::Null);
    assert_eq!(at(&y, "j").value, Value::Number(123456789012.0));
    assert_eq!(at(&y, "k").value, s("1234567890123456789"));
    assert_eq!(at(&y, "l").value, s("0x1F"));
    assert_eq!(at(&y, "m").value, s("80"));
    assert_eq!(at(&y, "n").value, Value::Number(80.0));
    assert_eq!(at(&y, "o").value, s("true"));
}

#[test]
fn block_scalars_and_anchors() {
    let y = yaml("Policy: |\n  {\"Version\": \"2012-10-17\"}\nA: &tags\n  - Key: k\n    Value: v\nB: *tags\n");
    assert_eq!(at(&y, "Policy").value, s("{\"Version\": \"2012-10-17\"}\n"));
    assert_eq!(strip(at(&y, "A")), strip(at(&y, "B")));
    assert_eq!(line(&y, "B"), 6);
}

#[test]
fn duplicate_keys_are_errors() {
    let e = yaml_err("Resources:\n  A: {Type: AWS::S3::Bucket}\n  A: {Type: AWS::S3::Bucket}\n");
    assert_eq!(e.line, 3);
    assert_eq!(e.message, "duplicate key `A`");
    let e = parse_json(
        Arc::from("t.json"),
        "{\n\"a\": 1,\n\"a\": 2}",
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (3, "duplicate key `a`"));
}

#[test]
fn unknown_tag_is_an_error() {
    let e = yaml_err("A: 1\nB: !Reference X\n");
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("unknown tag `!Reference`"),
        "{}",
        e.message
    );
    assert_eq!(e.file, "t.yaml");
}

#[test]
fn second_document_is_an_error() {
    let e = yaml_err("A: 1\n---\nB: 2\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("second document"), "{}", e.message);
}

#[test]
fn syntax_errors_have_lines() {
    let e = yaml_err("A: 1\nB: [1, 2\nC: 3\n");
    assert!(e.line >= 2, "{e:?}");
    assert!(e.message.starts_with("invalid yaml"), "{}", e.message);
    let e = parse_json(Arc::from("t.json"), "{\n\"a\": 1,\n}", &Limits::default()).unwrap_err();
    // The trailing comma.
    assert_eq!(e.line, 2);
    assert!(e.message.starts_with("invalid json"), "{}", e.message);
}

#[test]
fn parse_picks_the_syntax() {
    let l = Limits::default();
    let a = parse(Arc::from("x.template"), TEMPLATE_JSON, &l).unwrap();
    let b = parse(Arc::from("x.template"), TEMPLATE_YAML, &l).unwrap();
    assert_eq!(strip(&a), strip(&b));
    // Flow-style YAML that is not JSON.
    let c = parse(Arc::from("x.yaml"), "{A: !Ref B}", &l).unwrap();
    assert_eq!(at(&c, "A.Ref").value, s("B"));
    // A .json file is JSON only.
    assert!(parse(Arc::from("x.json"), "{A: 1}", &l).is_err());
    // BOM.
    let d = parse(Arc::from("x.json"), &format!("\u{feff}{TEMPLATE_JSON}"), &l).unwrap();
    assert_eq!(strip(&a), strip(&d));
}

#[test]
fn limits_apply() {
    let l = Limits {
        max_collection_len: 3,
        max_string_bytes: 10,
        ..Limits::default()
    };
    let f = Arc::from("t.yaml");
    let e = parse_yaml(Arc::clone(&f), "a: [1, 2, 3, 4]\n", &l).unwrap_err();
    assert!(e.message.contains("max_collection_len"), "{}", e.message);
    let e = parse_yaml(Arc::clone(&f), "a: 1\nb: 01234567890123\n", &l).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("max_string_bytes"), "{}", e.message);
    let e = parse_json(Arc::from("t.json"), "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", &l).unwrap_err();
    assert!(e.message.contains("max_collection_len"), "{}", e.message);
}

#[test]
fn detection() {
    assert!(is_template(&yaml(TEMPLATE_YAML)));
    assert!(is_template(&json(TEMPLATE_JSON)));
    assert!(may_be_template(TEMPLATE_YAML));
    // SAM without a format version.
    let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n";
    assert!(may_be_template(sam));
    assert!(is_template(&yaml(sam)));
    assert!(is_template(&yaml(
        "Resources:\n  C:\n    Type: Custom::Thing\n"
    )));
    // Not templates.
    let k8s =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n";
    assert!(!is_template(&yaml(k8s)));
    let package =
        r#"{"name": "app", "version": "1.0.0", "dependencies": {"aws-cdk-lib": "2.0.0"}}"#;
    assert!(!is_template(&json(package)));
    let plan = r#"{"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [{"address": "aws_vpc.main", "type": "aws_vpc"}], "planned_values": {"root_module": {"resources": [{"type": "aws_vpc"}]}}}"#;
    assert!(!is_template(&json(plan)));
    let state = r#"{"version": 4, "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "b"}]}"#;
    assert!(!is_template(&json(state)));
    assert!(!is_template(&yaml(
        "Resources:\n  A:\n    Type: aws_s3_bucket\n"
    )));
    assert!(!is_template(&yaml("Resources: [1, 2]\n")));
    assert!(!is_template(&yaml("- 1\n")));
}

#[test]
fn fuzz_seeds() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/cloudformation");
    let l = Limits::default();
    let read = |f: &str| {
        moat_cloudformation::walk::text_from_bytes(std::fs::read(dir.join(f)).unwrap(), f).unwrap()
    };
    for f in ["tags.yaml", "sam.yaml", "template.json", "utf16le.yaml"] {
        let n = parse(Arc::from(f), &read(f), &l).unwrap_or_else(|e| panic!("{f}: {e:?}"));
        assert!(is_template(&n), "{f}");
    }
    let tags = parse(Arc::from("tags.yaml"), &read("tags.yaml"), &l).unwrap();
    assert_eq!(
        strip(at(&tags, "Resources.Sg.Properties.SecurityGroupIngress.0")),
        strip(at(&tags, "Resources.Sg.Properties.SecurityGroupIngress.1"))
    );
    assert_eq!(
        at(
            &tags,
            "Resources.Subnet.Properties.CidrBlock.Fn::Select.1.Fn::Cidr.0.Fn::GetAtt.1"
        )
        .value,
        s("CidrBlock")
    );
    assert_eq!(line(&tags, "Resources.Fn::ForEach::Buckets"), 33);
    for (f, msg, l_) in [
        ("alias_bomb.yaml", "", 0),
        ("deep.json", "nesting deeper than 256 levels", 1),
        ("errors.yaml", "duplicate key `A`", 3),
    ] {
        let e = parse(Arc::from(f), &read(f), &l);
        if f == "alias_bomb.yaml" {
            // 9^4 nodes: under the cap, expanded.
            assert!(e.is_ok());
            continue;
        }
        let e = e.unwrap_err();
        assert_eq!((e.message.as_str(), e.line), (msg, l_), "{f}");
    }
}

#[test]
fn crlf_line_endings_keep_lines() {
    let y = yaml(&TEMPLATE_YAML.replace('\n', "\r\n"));
    assert_eq!(strip(&y), strip(&yaml(TEMPLATE_YAML)));
    assert_eq!(line(&y, "Resources.Vpc"), 20);
    assert_eq!(
        line(&y, "Resources.WebSecurityGroup.Properties.Tags.0.Value"),
        19
    );
    let j = json(&TEMPLATE_JSON.replace('\n', "\r\n"));
    assert_eq!(line(&j, "Resources.Vpc"), 29);
    assert_eq!(at(&j, "Resources.Vpc").loc.as_ref().unwrap().column, 5);
}

#[test]
fn keys_must_be_plain_strings() {
    let e = yaml_err("A: 1\n!Ref B: 2\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("cannot have a tag"), "{}", e.message);
    let e = yaml_err("A: 1\n? [x, y]\n: 2\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("complex keys"), "{}", e.message);
    // Numbers and booleans as keys are their text.
    let y = yaml("1: a\ntrue: b\n");
    assert_eq!(at(&y, "1").value, s("a"));
    assert_eq!(at(&y, "true").value, s("b"));
}

#[test]
fn nested_format_version_is_not_a_template() {
    assert!(!is_template(&yaml(
        "Meta:\n  AWSTemplateFormatVersion: '2010-09-09'\n"
    )));
    assert!(!may_be_template("apiVersion: v1\nkind: Pod\n"));
}
