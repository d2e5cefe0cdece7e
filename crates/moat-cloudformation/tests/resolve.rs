//! The resolver: parameters, conditions, mappings and intrinsic functions, on templates given
//! as text (no adapters involved: `resolve::load_str`).

use moat_cloudformation::resolve::load_str;
use moat_cloudformation::Options;
use moat_model::{Estate, Unknown, Value, Written};

mod common;
use common::{attr, errors};

fn load(text: &str) -> Estate {
    load_str("t.yaml", text, &Options::default())
}

fn load_with(text: &str, params: &[(&str, &str)]) -> Estate {
    let opts = Options {
        parameters: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Options::default()
    };
    load_str("t.yaml", text, &opts)
}

fn s<'a>(e: &'a Estate, address: &str, path: &str) -> &'a str {
    attr(e, address, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path} is not a string: {:?}", attr(e, address, path)))
}

#[test]
fn ref_and_getatt_to_resources_are_computed_references_with_edges() {
    let e = load(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      Tags:
        - Key: Cidr
          Value: !GetAtt Vpc.CidrBlock
        - Key: Long
          Value: {"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}
"#,
    );
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(e.resources.len(), 2);
    let vpc = attr(&e, "Sg", "VpcId");
    assert_eq!(vpc.computed_ref(), Some(("Vpc", "Ref")));
    assert_eq!(vpc.line(), Some(11));
    assert_eq!(
        attr(&e, "Sg", "Tags.0.Value").computed_ref(),
        Some(("Vpc", "CidrBlock"))
    );
    assert_eq!(
        attr(&e, "Sg", "Tags.1.Value").computed_ref(),
        Some(("Vpc", "DefaultSecurityGroup"))
    );
    let sg = e.get(e.by_address("Sg").unwrap()).unwrap();
    assert_eq!(sg.rtype, "AWS::EC2::SecurityGroup");
    assert_eq!(sg.loc.line, 7);
    assert_eq!(sg.loc.file.as_ref(), "t.yaml");
    assert_eq!(sg.name, "Sg");
    assert_eq!(sg.module, "");
    let edges: Vec<(String, String, String)> = e
        .edges
        .iter()
        .map(|x| {
            (
                e.get(x.from).unwrap().address.clone(),
                e.get(x.to).unwrap().address.clone(),
                x.attr.clone(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            ("Sg".into(), "Vpc".into(), "Tags".into()),
            ("Sg".into(), "Vpc".into(), "VpcId".into())
        ]
    );
    let vid = e.by_address("Vpc").unwrap();
    assert_eq!(
        e.resolve(vpc, &["AWS::EC2::VPC"], &[]),
        moat_model::Resolved::Resource(vid)
    );
}

const PARAMS: &str = r#"Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Cidr:
    Type: String
  Port:
    Type: Number
    Default: 443
  Azs:
    Type: CommaDelimitedList
    Default: "a, b,c"
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
  Ami:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2-secret
  Tier:
    Type: String
    AllowedValues: [web, db]
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Env: !Ref Env
      Cidr: !Ref Cidr
      Port: !Ref Port
      Azs: !Ref Azs
      Subnets: !Ref Subnets
      Ami: !Ref Ami
      Secret: !Ref Secret
      Tier: !Ref Tier
      Region: !Ref AWS::Region
      Partition: !Ref AWS::Partition
"#;

#[test]
fn parameters_take_defaults_types_and_unknowns() {
    let e = load(PARAMS);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(s(&e, "R", "Env"), "dev");
    assert_eq!(attr(&e, "R", "Env").line(), Some(30));
    assert_eq!(
        attr(&e, "R", "Cidr").unknown_reason(),
        Some(&Unknown::Parameter {
            name: "Cidr".into()
        })
    );
    assert_eq!(s(&e, "R", "Port"), "443");
    assert_eq!(attr(&e, "R", "Azs").string_list(), vec!["a", "b", "c"]);
    assert!(matches!(
        attr(&e, "R", "Subnets").unknown_reason(),
        Some(Unknown::Parameter { name }) if name == "Subnets"
    ));
    let ami = attr(&e, "R", "Ami").unknown_reason().unwrap().to_string();
    assert!(ami.contains("SSM parameter `/aws/service/ami`"), "{ami}");
    let tier = attr(&e, "R", "Tier").unknown_reason().unwrap().to_string();
    assert!(tier.contains("`web`, `db`"), "{tier}");
    assert_eq!(
        attr(&e, "R", "Region").unknown_reason(),
        Some(&Unknown::Parameter {
            name: "AWS::Region".into()
        })
    );
    assert!(attr(&e, "R", "Partition").is_unknown());
    // NoEcho values are redacted from output.
    assert_eq!(s(&e, "R", "Secret"), "hunter2-secret");
    assert_eq!(
        e.redact("value hunter2-secret here"),
        "value (NoEcho parameter) here"
    );
}

#[test]
fn parameters_given_on_the_command_line_win_and_are_checked() {
    let e = load_with(
        PARAMS,
        &[
            ("Env", "prod"),
            ("Cidr", "10.0.0.0/8"),
            ("AWS::Region", "cn-north-1"),
            ("Tier", "cache"),
            ("Port", "https"),
            ("NotDeclared", "x"),
        ],
    );
    assert_eq!(s(&e, "R", "Env"), "prod");
    assert_eq!(s(&e, "R", "Cidr"), "10.0.0.0/8");
    assert_eq!(s(&e, "R", "Region"), "cn-north-1");
    assert_eq!(s(&e, "R", "Partition"), "aws-cn");
    assert_eq!(s(&e, "R", "Tier"), "cache");
    assert_eq!(
        errors(&e),
        vec![
            "t.yaml:8 `https` of parameter `Port` (type `Number`) is not a number",
            "t.yaml:23 `cache` of parameter `Tier` is not one of its `AllowedValues` (`web`, `db`)",
        ]
    );
}

#[test]
fn default_outside_allowed_values_is_an_error_at_its_line() {
    let e = load(
        "Parameters:\n  Env:\n    Type: String\n    Default: test\n    AllowedValues: [dev, prod]\nResources:\n  R:\n    Type: AWS::Test::Thing\n",
    );
    assert_eq!(
        errors(&e),
        vec![
            "t.yaml:4 `test` of parameter `Env` is not one of its `AllowedValues` (`dev`, `prod`)"
        ]
    );
}

#[test]
fn bad_refs_are_errors_with_lines() {
    let e = load(
        r#"Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !Ref Missing
      B: !GetAtt Nothing.Arn
      C: !Sub "${Gone}-x"
      D: !Select [5, [a, b]]
      E: {"Fn::Nope": 1}
"#,
    );
    assert_eq!(
        errors(&e),
        vec![
            "t.yaml:5 `Ref` to `Missing`, which is neither a parameter nor a resource of this template",
            "t.yaml:6 `Fn::GetAtt` of `Nothing`, which is not a resource of this template",
            "t.yaml:7 `Ref` to `Gone`, which is neither a parameter nor a resource of this template",
            "t.yaml:8 `Fn::Select`: index 5 is out of range for a list of 2",
            "t.yaml:9 unknown function `Fn::Nope`",
        ]
    );
    for k in ["A", "B", "C", "D", "E"] {
        assert!(attr(&e, "R", k).is_unknown(), "{k}");
    }
}

#[test]
fn a_resource_whose_condition_is_false_is_absent() {
    let t = r#"Parameters:
  Env:
    Type: String
    Default: dev
  Flag:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [!Ref Flag, "on"]]
  Either: !Or [!Condition NotProd, !Equals [!Ref Flag, "on"]]
Resources:
  ProdOnly:
    Type: AWS::Test::Thing
    Condition: IsProd
  DevOnly:
    Type: AWS::Test::Thing
    Condition: NotProd
  Maybe:
    Type: AWS::Test::Thing
    Condition: Both
  Sure:
    Type: AWS::Test::Thing
    Condition: Either
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    let names: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(names, vec!["DevOnly", "Sure"]);
    let e = load_with(t, &[("Env", "prod")]);
    let names: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(names, vec!["Maybe", "ProdOnly", "Sure"]);
    // `Both` and `Either` depend on `Flag`, which has no value: kept, with a note.
    assert_eq!(e.notes.len(), 2);
    assert_eq!(e.notes[0].line, 19);
    assert_eq!(e.notes[1].line, 22);
    assert!(
        e.notes[0].message.starts_with(
            "resource `Maybe` exists only if condition `Both` holds, which is unknown"
        ),
        "{}",
        e.notes[0].message
    );
}

#[test]
fn if_and_no_value_remove_properties() {
    let t = r#"Parameters:
  Env:
    Type: String
  Mode:
    Type: String
    Default: strict
Conditions:
  IsStrict: !Equals [!Ref Mode, strict]
  IsProd: !Equals [prod, !Ref Env]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
  R:
    Type: AWS::Test::Thing
    Properties:
      Gone: !If [IsStrict, !Ref AWS::NoValue, 1]
      Kept: !If [IsStrict, yes-strict, no]
      List: [a, !If [IsStrict, !Ref AWS::NoValue, b], !Ref AWS::NoValue, c]
      Direct: !Ref AWS::NoValue
      Open: !If [IsProd, !Ref Vpc, !GetAtt Vpc.CidrBlock]
      Same: !If [IsProd, 443, 443]
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    let r = e.get(e.by_address("R").unwrap()).unwrap();
    assert!(r.get("Gone").is_none());
    assert!(r.get("Direct").is_none());
    assert_eq!(s(&e, "R", "Kept"), "yes-strict");
    assert_eq!(attr(&e, "R", "List").string_list(), vec!["a", "c"]);
    match attr(&e, "R", "Open").unknown_reason() {
        Some(Unknown::Derived { reason, refs }) => {
            assert!(reason.contains("condition `IsProd`"), "{reason}");
            assert_eq!(refs, &vec!["Vpc".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(attr(&e, "R", "Same").as_i64(), Some(443));
    // The unknown condition still gives the edge.
    assert_eq!(e.edges.len(), 1);
    let e = load_with(t, &[("Mode", "loose")]);
    assert_eq!(attr(&e, "R", "Gone").as_i64(), Some(1));
    assert_eq!(attr(&e, "R", "List").string_list(), vec!["a", "b", "c"]);
}

#[test]
fn sub_in_both_forms() {
    let t = r#"Parameters:
  Name:
    Type: String
    Default: app
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  R:
    Type: AWS::Test::Thing
    Properties:
      Plain: !Sub "${Name}-logs-${!Literal}"
      Vars:
        Fn::Sub:
          - "arn:${P}:s3:::${B}/${Name}"
          - P: aws
            B: fixed
      Arn: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
      Attr: !Sub "${Bucket.Arn}/x"
      Text: !Sub "no variables"
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(s(&e, "R", "Plain"), "app-logs-${Literal}");
    assert_eq!(s(&e, "R", "Vars"), "arn:aws:s3:::fixed/app");
    assert_eq!(s(&e, "R", "Text"), "no variables");
    match attr(&e, "R", "Arn").unknown_reason() {
        Some(Unknown::Template { text, reason, refs }) => {
            assert_eq!(text, "arn:${AWS::Partition}:s3:::${Bucket}/*");
            assert!(reason.contains("AWS::Partition"), "{reason}");
            assert_eq!(refs, &vec!["Bucket".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    match attr(&e, "R", "Attr").unknown_reason() {
        Some(Unknown::Template { text, refs, .. }) => {
            assert_eq!(text, "${Bucket.Arn}/x");
            assert_eq!(refs, &vec!["Bucket".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let e = load_with(t, &[("AWS::Partition", "aws")]);
    match attr(&e, "R", "Arn").unknown_reason() {
        Some(Unknown::Template { text, .. }) => assert_eq!(text, "arn:aws:s3:::${Bucket}/*"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn join_select_split_length_base64_tojson() {
    let t = r#"Transform: AWS::LanguageExtensions
Parameters:
  Cidr:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  R:
    Type: AWS::Test::Thing
    Properties:
      Join: !Join ["-", [a, b, 3]]
      JoinUnknown: !Join ["", ["arn:aws:s3:::", !Ref Bucket, "/*"]]
      Select: !Select [1, [x, y, z]]
      SelectString: !Select ["0", !Split [",", "p,q"]]
      Split: !Split [",", "a,b,,c"]
      SplitUnknown: !Split [",", !Ref Cidr]
      Len: {"Fn::Length": [1, 2, 3]}
      B64: !Base64 "hello"
      B64Unknown: !Base64 {"Ref": "Cidr"}
      Json: {"Fn::ToJsonString": {"a": [1, "b"], "c": true}}
      Azs: !GetAZs ""
      FirstAz: !Select [0, !GetAZs ""]
      Import: !ImportValue shared-vpc-id
      LenUnknown: {"Fn::Length": !Split [",", !Ref Cidr]}
      JsonUnknown: {"Fn::ToJsonString": {"Bucket": !Ref Bucket}}
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(s(&e, "R", "Join"), "a-b-3");
    match attr(&e, "R", "JoinUnknown").unknown_reason() {
        Some(Unknown::Template { text, refs, .. }) => {
            assert_eq!(text, "arn:aws:s3:::${Bucket}/*");
            assert_eq!(refs, &vec!["Bucket".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s(&e, "R", "Select"), "y");
    assert_eq!(s(&e, "R", "SelectString"), "p");
    assert_eq!(
        attr(&e, "R", "Split").string_list(),
        vec!["a", "b", "", "c"]
    );
    assert!(attr(&e, "R", "SplitUnknown").is_unknown());
    assert_eq!(attr(&e, "R", "Len").as_i64(), Some(3));
    assert_eq!(s(&e, "R", "B64"), "aGVsbG8=");
    assert!(attr(&e, "R", "B64Unknown").is_unknown());
    assert_eq!(s(&e, "R", "Json"), r#"{"a":[1,"b"],"c":true}"#);
    let azs = attr(&e, "R", "FirstAz")
        .unknown_reason()
        .unwrap()
        .to_string();
    assert!(azs.contains("`Fn::GetAZs`"), "{azs}");
    assert!(attr(&e, "R", "Azs").is_unknown());
    let imp = attr(&e, "R", "Import")
        .unknown_reason()
        .unwrap()
        .to_string();
    assert!(imp.contains("`shared-vpc-id`"), "{imp}");
    assert!(attr(&e, "R", "LenUnknown").is_unknown());
    match attr(&e, "R", "JsonUnknown").unknown_reason() {
        Some(Unknown::Derived { refs, .. }) => assert_eq!(refs, &vec!["Bucket".to_string()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cidr_computes_subnets() {
    let t = r#"Parameters:
  Block:
    Type: String
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Subnets: !Cidr ["10.0.0.0/16", 3, 8]
      Six: !Cidr ["2001:db8::/56", 2, 64]
      Picked: !Select [2, !Cidr ["192.168.0.0/24", 4, 6]]
      Unknown: !Cidr [!Ref Block, 2, 8]
      TooMany: !Cidr ["10.0.0.0/24", 3, 8]
"#;
    let e = load(t);
    assert_eq!(
        attr(&e, "R", "Subnets").string_list(),
        vec!["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
    );
    assert_eq!(
        attr(&e, "R", "Six").string_list(),
        vec!["2001:db8::/64", "2001:db8:0:1::/64"]
    );
    assert_eq!(s(&e, "R", "Picked"), "192.168.0.128/26");
    assert!(attr(&e, "R", "Unknown").is_unknown());
    assert!(attr(&e, "R", "TooMany").is_unknown());
    assert_eq!(e.errors.len(), 1, "{:?}", errors(&e));
    assert_eq!(e.errors[0].line, 12);
}

#[test]
fn find_in_map_with_known_unknown_and_default_keys() {
    let t = r#"Transform: AWS::LanguageExtensions
Mappings:
  Ports:
    web:
      Port: 443
      Proto: tcp
    db:
      Port: 5432
      Proto: tcp
Parameters:
  Tier:
    Type: String
    Default: web
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Port: !FindInMap [Ports, !Ref Tier, Port]
      ByRegion: !FindInMap [Ports, !Ref AWS::Region, Proto]
      PortByRegion: !FindInMap [Ports, !Ref AWS::Region, Port]
      Default: !FindInMap [Ports, cache, Port, {DefaultValue: 6379}]
      Missing: !FindInMap [Ports, cache, Port]
"#;
    let e = load(t);
    assert_eq!(attr(&e, "R", "Port").as_i64(), Some(443));
    // Every entry agrees: known even though the key is not.
    assert_eq!(s(&e, "R", "ByRegion"), "tcp");
    assert!(attr(&e, "R", "PortByRegion").is_unknown());
    assert_eq!(attr(&e, "R", "Default").as_i64(), Some(6379));
    assert!(attr(&e, "R", "Missing").is_unknown());
    assert_eq!(
        errors(&e),
        vec!["t.yaml:22 `Fn::FindInMap`: mapping `Ports` has no `cache`.`Port`"]
    );
}

#[test]
fn foreach_expands_resources_with_addresses() {
    let t = r#"Transform: AWS::LanguageExtensions
Parameters:
  Names:
    Type: CommaDelimitedList
    Default: "logs,data-lake"
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Names
    - "&{Name}Bucket":
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "acme-${Name}"
          Tags:
            - Key: Id
              Value: !Ref Name
          Fn::ForEach::Inner:
            - Suffix
            - [A, B]
            - "Prop${Suffix}": !Sub "${Name}-${Suffix}"
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref logsBucket
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    let names: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(names, vec!["Policy", "datalakeBucket", "logsBucket"]);
    assert_eq!(s(&e, "datalakeBucket", "BucketName"), "acme-data-lake");
    assert_eq!(s(&e, "datalakeBucket", "Tags.0.Value"), "data-lake");
    assert_eq!(s(&e, "logsBucket", "PropA"), "logs-A");
    assert_eq!(s(&e, "logsBucket", "PropB"), "logs-B");
    assert_eq!(
        attr(&e, "Policy", "Bucket").computed_ref(),
        Some(("logsBucket", "Ref"))
    );
    let r = e.get(e.by_address("logsBucket").unwrap()).unwrap();
    assert_eq!(r.loc.line, 10);
}

#[test]
fn policy_properties_record_how_they_were_written() {
    let t = r#"Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: []
      Policies:
        - PolicyName: a
          PolicyDocument: !Sub '{"Version": "2012-10-17"}'
        - PolicyName: b
          PolicyDocument: '{"Version": "2012-10-17"}'
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !Join ["", ["{", "}"]]
"#;
    let e = load(t);
    let role = e.get(e.by_address("Role").unwrap()).unwrap();
    assert_eq!(
        role.written.get("AssumeRolePolicyDocument"),
        Some(&Written::Structure)
    );
    assert_eq!(
        role.written.get("Policies.0.PolicyDocument"),
        Some(&Written::Call("Fn::Sub".into()))
    );
    assert_eq!(
        role.written.get("Policies.1.PolicyDocument"),
        Some(&Written::Text)
    );
    let key = e.get(e.by_address("Key").unwrap()).unwrap();
    assert_eq!(
        key.written.get("KeyPolicy"),
        Some(&Written::Call("Fn::Join".into()))
    );
    assert_eq!(s(&e, "Key", "KeyPolicy"), "{}");
}

#[test]
fn metadata_ignores_become_estate_ignores() {
    let t = r#"Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Metadata:
      moat:
        ignore:
          - id: S3002
            reason: logs are public by design
          - id: S3003
"#;
    let e = load(t);
    let ig: Vec<(String, String, String, u32)> = e
        .ignores
        .iter()
        .map(|i| {
            (
                i.address.clone(),
                i.id.clone(),
                i.reason.clone(),
                i.loc.line,
            )
        })
        .collect();
    assert_eq!(
        ig,
        vec![
            (
                "Bucket".into(),
                "S3002".into(),
                "logs are public by design".into(),
                7
            ),
            ("Bucket".into(), "S3003".into(), String::new(), 9),
        ]
    );
    assert_eq!(
        errors(&e),
        vec!["t.yaml:9 suppression `S3003` on `Bucket` has no reason and is not honoured: write why, `{id: S3003, reason: ...}`"]
    );
}

#[test]
fn malformed_resources_are_errors_with_lines() {
    let t = r#"Resources:
  NoType:
    Properties:
      A: 1
  BadProps:
    Type: AWS::Test::Thing
    Properties: [1, 2]
  Good:
    Type: AWS::Test::Thing
    DependsOn: NoType
"#;
    let e = load(t);
    assert_eq!(
        errors(&e),
        vec![
            "t.yaml:2 resource `NoType` has no `Type`",
            "t.yaml:7 `Properties` of resource `BadProps` must be a map",
        ]
    );
    let g = e.get(e.by_address("Good").unwrap()).unwrap();
    assert!(g.attrs.is_empty());
}

#[test]
fn condition_cycles_and_bad_intrinsics_do_not_hang() {
    let t = r#"Conditions:
  A: !Condition B
  B: !Condition A
Resources:
  R:
    Type: AWS::Test::Thing
    Condition: A
    Properties:
      X: !Join [",", "notalist"]
      Y: !Select [a, [1]]
"#;
    let e = load(t);
    assert_eq!(e.resources.len(), 1);
    assert!(
        errors(&e).iter().any(|m| m.contains("depends on itself")),
        "{:?}",
        errors(&e)
    );
    assert!(
        errors(&e)
            .iter()
            .any(|m| m.starts_with("t.yaml:9 `Fn::Join`")),
        "{:?}",
        errors(&e)
    );
    assert!(
        errors(&e)
            .iter()
            .any(|m| m.starts_with("t.yaml:10 `Fn::Select`")),
        "{:?}",
        errors(&e)
    );
}

#[test]
fn limits_stop_runaway_work() {
    let mut opts = Options::default();
    opts.limits.max_collection_len = 10;
    let t = r#"Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Many: !Split [",", "1,2,3,4,5,6,7,8,9,10,11,12"]
"#;
    let e = load_str("t.yaml", t, &opts);
    assert!(attr(&e, "R", "Many").is_unknown());
    assert_eq!(e.errors.len(), 1);
    assert!(e.errors[0].message.contains("max_collection_len"));
    let mut opts = Options::default();
    opts.limits.fuel = 5;
    let e = load_str("t.yaml", t, &opts);
    assert!(
        e.errors.iter().any(|x| x.message.contains("`fuel`")),
        "{:?}",
        errors(&e)
    );
}

#[test]
fn transforms_other_than_the_language_extensions_are_noted() {
    let t = r#"Transform: [AWS::LanguageExtensions, Custom::Macro]
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Inc:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: s3://b/k}
"#;
    let e = load(t);
    assert!(attr(&e, "R", "Inc").is_unknown());
    let notes: Vec<&str> = e.notes.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("`Custom::Macro`")));
    assert!(notes.iter().any(|n| n.contains("`AWS::Include`")));
}

#[test]
fn json_templates_resolve_the_same() {
    let t = r#"{
  "Parameters": {"Port": {"Type": "Number", "Default": "22"}},
  "Resources": {
    "Sg": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "x",
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": {"Ref": "Port"}, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]
      }
    }
  }
}"#;
    let e = load_str("t.json", t, &Options::default());
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(
        attr(&e, "Sg", "SecurityGroupIngress.0.FromPort").as_i64(),
        Some(22)
    );
    assert_eq!(
        attr(&e, "Sg", "SecurityGroupIngress.0.FromPort").line(),
        Some(8)
    );
    let sg = e.get(e.by_address("Sg").unwrap()).unwrap();
    assert_eq!(sg.loc.line, 4);
    assert_eq!(e.files_scanned, 1);
    assert!(e.sources.contains_key("t.json"));
    let _ = Value::Null;
}

#[test]
fn getatt_attribute_may_be_a_ref() {
    let t = r#"Parameters:
  Which:
    Type: String
    Default: Arn
  Unset:
    Type: String
Resources:
  Q:
    Type: AWS::SQS::Queue
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !GetAtt [Q, !Ref Which]
      B: {"Fn::GetAtt": [Q, {"Ref": "Unset"}]}
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(attr(&e, "R", "A").computed_ref(), Some(("Q", "Arn")));
    match attr(&e, "R", "B").unknown_reason() {
        Some(Unknown::Derived { refs, .. }) => assert_eq!(refs, &vec!["Q".to_string()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nested_stacks_are_not_read_from_text() {
    let t = r#"Resources:
  Net:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: net.yaml
  R:
    Type: AWS::Test::Thing
    Properties:
      S: !GetAtt Net.Outputs.SubnetId
"#;
    let e = load(t);
    assert!(e.errors.is_empty(), "{:?}", errors(&e));
    assert_eq!(e.notes.len(), 1);
    assert_eq!(e.notes[0].line, 5);
    match attr(&e, "R", "S").unknown_reason() {
        Some(Unknown::Derived { reason, refs }) => {
            assert!(
                reason.contains("output `SubnetId` of nested stack `Net`"),
                "{reason}"
            );
            assert_eq!(refs, &vec!["Net".to_string()]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn foreach_expansion_is_bounded_by_the_resource_limit_and_fuel() {
    let t = r#"Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Many:
    - X
    - [a, b, c, d, e, f, g, h, i, j]
    - "Q${X}":
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Sub "q-${X}"
"#;
    let mut opts = Options::default();
    opts.limits.max_resource_instances = 5;
    let e = load_str("t.yaml", t, &opts);
    assert_eq!(e.resources.len(), 5);
    assert_eq!(e.errors.len(), 1, "{:?}", errors(&e));
    assert!(e.errors[0].message.contains("max_resource_instances"));
    // One resource may not use more than a fifth of the fuel.
    let t = r#"Resources:
  Big:
    Type: AWS::Test::Thing
    Properties:
      L: !Split [",", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40"]
  Small:
    Type: AWS::Test::Thing
    Properties:
      S: ok
"#;
    let mut opts = Options::default();
    opts.limits.fuel = 100;
    let e = load_str("t.yaml", t, &opts);
    assert!(attr(&e, "Big", "L").is_unknown());
    assert_eq!(s(&e, "Small", "S"), "ok");
    assert_eq!(e.errors.len(), 1, "{:?}", errors(&e));
    assert!(e.errors[0]
        .message
        .starts_with("resource `Big` needs more evaluation work"));
}

#[test]
fn hostile_intrinsics_are_errors_not_panics() {
    let t = r#"Transform: AWS::LanguageExtensions
Conditions:
  C: !Equals [!Ref AWS::Region, [1, 2]]
  D: [not, a, condition]
Resources:
  R:
    Type: AWS::Test::Thing
    Condition: Nowhere
  S:
    Type: AWS::Test::Thing
    Properties:
      A: !Sub "${unclosed"
      B: !Sub "${!}${}"
      C: !Select [-1, [a]]
      D: {"Fn::GetAtt": [S, A, B]}
      E: {"Ref": [x]}
      F: !Cidr ["10.0.0.0/16", 100000, 8]
      G: !Cidr ["nonsense", 1, 8]
      H: !Cidr ["10.0.0.0/16", 1, 40]
      I: !If [D, 1, 2]
      J: !If [C, 1, 2]
      K: !Join [[x], [a]]
      L: !FindInMap [NoMap, a, b]
      M: {"Fn::FindInMap": [a, b]}
      N: !Split ["", "abc"]
      O: {"Fn::Length": "abc"}
      P: {"Fn::ToJsonString": "abc"}
      Q: !Base64 [a]
      Fn::ForEach::Bad: [x]
      Fn::ForEach::Worse: [X, "notalist", {"K${X}": 1}]
  Fn::ForEach::Dup:
    - X
    - [a, a]
    - "T${X}":
        Type: AWS::Test::Thing
"#;
    let e = load(t);
    let errs = errors(&e);
    assert!(errs.len() >= 18, "{errs:?}");
    for k in [
        "C", "D", "E", "F", "G", "H", "I", "K", "L", "M", "N", "O", "P", "Q",
    ] {
        assert!(attr(&e, "S", k).is_unknown(), "{k}");
    }
    assert_eq!(s(&e, "S", "A"), "${unclosed");
    assert!(
        errs.iter()
            .any(|m| m.contains("resource `Ta` is declared twice")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|m| m.contains("condition `Nowhere` is not declared")),
        "{errs:?}"
    );
    // Deeply nested calls evaluate without overflowing.
    let mut v = String::from("x");
    for _ in 0..60 {
        v = format!("{{\"Fn::Join\": [\"\", [{v}]]}}");
    }
    let t = format!("{{\"Resources\": {{\"R\": {{\"Type\": \"AWS::Test::Thing\", \"Properties\": {{\"V\": {v}}}}}}}}}");
    let t = t.replacen("[x]", "[\"x\"]", 1);
    let e = load_str("t.json", &t, &Options::default());
    assert_eq!(attr(&e, "R", "V").as_str(), Some("x"), "{:?}", errors(&e));
}

/// A loop whose collection is unknown still declares what it would declare, once, with the
/// identifier unknown (as Terraform's frontend reads a resource whose `count` is unknown):
/// nothing the loop makes goes unchecked. With the collection given, it expands.
#[test]
fn foreach_over_an_unknown_collection_declares_each_output_once() {
    let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Names:
    Type: CommaDelimitedList
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Names
    - Bucket${Name}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "data-${Name}"
          VersioningConfiguration:
            Status: Enabled
"#;
    let e = load(text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let addrs: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addrs, ["Bucket${Name}"]);
    let r = &e.resources[0];
    assert_eq!(r.loc.line, 10);
    assert!(r.get("BucketName").unwrap().is_unknown());
    assert_eq!(
        s(&e, "Bucket${Name}", "VersioningConfiguration.Status"),
        "Enabled"
    );
    assert!(
        e.notes.iter().any(|n| n.message.contains("`Name` unknown")),
        "{:?}",
        e.notes
    );
    let e = load_with(text, &[("Names", "a,b")]);
    let addrs: Vec<&str> = e.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addrs, ["Bucketa", "Bucketb"]);
}
