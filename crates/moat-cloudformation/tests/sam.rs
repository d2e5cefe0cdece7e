//! The SAM transform (`moat_cloudformation::sam::transform`) on parsed templates: generated
//! resources, logical IDs, policies and locations, as SAM documents them.

use std::sync::Arc;

use moat_cloudformation::sam::transform;
use moat_model::{Limits, Node, Note, ScanError, Value};
use serde_json::json;

mod common;
use common::line_of;

const APP: &str = include_str!("fixtures/sam/app.yaml");
const APP_FILE: &str = "sam/app.yaml";

struct Out {
    template: Node,
    errors: Vec<ScanError>,
    notes: Vec<Note>,
}

fn run_yaml(file: &str, text: &str) -> Out {
    let mut template = moat_cloudformation::parse::parse(Arc::from(file), text, &Limits::default())
        .unwrap_or_else(|e| panic!("parse {file}: {e:?}"));
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    transform(&mut template, &mut errors, &mut notes);
    Out {
        template,
        errors,
        notes,
    }
}

fn app() -> Out {
    let out = run_yaml(APP_FILE, APP);
    assert!(out.errors.is_empty(), "errors: {:?}", out.errors);
    out
}

fn res<'a>(t: &'a Node, id: &str) -> &'a Node {
    t.path("Resources")
        .and_then(|r| r.get(id))
        .unwrap_or_else(|| panic!("no resource `{id}`; have {:?}", ids(t)))
}

fn ids(t: &Node) -> Vec<String> {
    t.path("Resources")
        .and_then(Node::as_map)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn rtype<'a>(t: &'a Node, id: &str) -> &'a str {
    res(t, id).get("Type").and_then(Node::as_str).unwrap_or("")
}

fn prop<'a>(t: &'a Node, id: &str, path: &str) -> &'a Node {
    res(t, id)
        .path(&format!("Properties.{path}"))
        .unwrap_or_else(|| panic!("no `{path}` on `{id}`"))
}

fn line(n: &Node) -> u32 {
    n.loc.as_ref().map(|l| l.line).unwrap_or(0)
}

fn js(n: &Node) -> serde_json::Value {
    n.value.to_json()
}

fn managed(path: &str) -> serde_json::Value {
    json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::aws:policy/{path}")})
}

#[test]
fn function_becomes_lambda_function_with_its_generated_role() {
    let out = app();
    let t = &out.template;
    assert_eq!(rtype(t, "ProcessFunction"), "AWS::Lambda::Function");
    assert_eq!(rtype(t, "ProcessFunctionRole"), "AWS::IAM::Role");
    assert_eq!(
        js(prop(t, "ProcessFunction", "Role")),
        json!({"Fn::GetAtt": ["ProcessFunctionRole", "Arn"]})
    );
    assert_eq!(
        js(prop(t, "ProcessFunction", "Code")),
        json!({"S3Bucket": "artifacts", "S3Key": "process.zip"})
    );
    assert_eq!(
        js(prop(t, "ProcessFunction", "TracingConfig")),
        json!({"Mode": "Active"})
    );
    // The role and the function point at the function's logical ID line.
    let fn_line = line_of(APP, "  ProcessFunction:");
    assert_eq!(line(res(t, "ProcessFunction")), fn_line);
    assert_eq!(line(res(t, "ProcessFunctionRole")), fn_line);
    assert_eq!(
        js(prop(t, "ProcessFunctionRole", "AssumeRolePolicyDocument")),
        json!({"Version": "2012-10-17", "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}}]})
    );
    // Managed policies: basic, X-Ray (Tracing), VPC (VpcConfig), the named one, SQS (event).
    assert_eq!(
        js(prop(t, "ProcessFunctionRole", "ManagedPolicyArns")),
        json!([
            managed("service-role/AWSLambdaBasicExecutionRole"),
            managed("AWSXrayWriteOnlyAccess"),
            managed("service-role/AWSLambdaVPCAccessExecutionRole"),
            managed("AWSLambdaExecute"),
            managed("service-role/AWSLambdaSQSQueueExecutionRole"),
        ])
    );
    // A managed policy written in `Policies` points at its entry.
    let arns = prop(t, "ProcessFunctionRole", "ManagedPolicyArns");
    assert_eq!(
        line(arns.path("3").unwrap()),
        line_of(APP, "- AWSLambdaExecute")
    );
}

#[test]
fn policy_templates_become_inline_policies_named_as_sam_names_them() {
    let out = app();
    let t = &out.template;
    let policies = prop(t, "ProcessFunctionRole", "Policies");
    let names: Vec<&str> = policies
        .as_list()
        .unwrap()
        .iter()
        .map(|p| p.get("PolicyName").and_then(Node::as_str).unwrap())
        .collect();
    // Index 0 is the managed policy: inline policies keep their index in `Policies`.
    assert_eq!(
        names,
        [
            "ProcessFunctionRolePolicy1",
            "ProcessFunctionRolePolicy2",
            "ProcessFunctionRolePolicy3",
            "ProcessFunctionRolePolicy4",
            "ProcessFunctionRolePolicy5",
            "ProcessFunctionRolePolicy6",
        ]
    );
    // S3CrudPolicy with BucketName substituted (the reference stays for the resolver).
    let s3 = policies.path("0.PolicyDocument.Statement.0").unwrap();
    assert_eq!(
        js(s3.get("Resource").unwrap()),
        json!([
            {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}", {"bucketName": {"Ref": "Reports"}}]},
            {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}/*", {"bucketName": {"Ref": "Reports"}}]}
        ])
    );
    assert!(js(s3.get("Action").unwrap())
        .as_array()
        .unwrap()
        .contains(&json!("s3:PutObject")));
    // The statement points at the policy template's entry; the substituted value at its own line.
    assert_eq!(line(s3), line_of(APP, "- S3CrudPolicy:"));
    let bucket_ref = s3.path("Resource.0.Fn::Sub.1.bucketName").unwrap();
    assert_eq!(line(bucket_ref), line_of(APP, "BucketName: !Ref Reports"));
    // DynamoDBCrudPolicy, SQSPollerPolicy, KMSDecryptPolicy, Secrets Manager.
    let ddb = policies.path("1.PolicyDocument.Statement.0").unwrap();
    assert!(js(ddb.get("Action").unwrap())
        .as_array()
        .unwrap()
        .contains(&json!("dynamodb:PutItem")));
    assert!(js(ddb).to_string().contains("{\"Ref\":\"Orders\"}"));
    let sqs = policies.path("2.PolicyDocument.Statement.0").unwrap();
    assert_eq!(
        js(sqs.path("Resource.Fn::Sub.1.queueName").unwrap()),
        json!({"Fn::GetAtt": ["Jobs", "QueueName"]})
    );
    let kms = policies.path("3.PolicyDocument.Statement.0").unwrap();
    assert_eq!(js(kms.get("Action").unwrap()), json!("kms:Decrypt"));
    assert_eq!(
        js(kms.path("Resource.Fn::Sub.1.keyId").unwrap()),
        json!({"Ref": "KeyId"})
    );
    let secret = policies.path("4.PolicyDocument.Statement.0").unwrap();
    assert_eq!(
        js(secret.get("Action").unwrap()),
        json!(["secretsmanager:GetSecretValue"])
    );
    assert_eq!(
        js(secret.path("Resource.Fn::Sub.1.secretArn").unwrap()),
        json!("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf")
    );
    // The inline document is kept as written.
    assert_eq!(
        js(policies.path("5.PolicyDocument").unwrap()),
        json!({"Statement": [{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"}]})
    );
    assert_eq!(
        line(policies.path("5.PolicyDocument").unwrap()),
        line_of(APP, "- Statement:")
    );
}

#[test]
fn globals_are_merged_into_each_function() {
    let out = app();
    let t = &out.template;
    assert!(t.get("Globals").is_none());
    // Scalars from Globals, pointing at the Globals line.
    let runtime = prop(t, "ProcessFunction", "Runtime");
    assert_eq!(runtime.as_str(), Some("python3.12"));
    assert_eq!(line(runtime), line_of(APP, "Runtime: python3.12"));
    assert_eq!(prop(t, "PublicFunction", "Timeout").as_f64(), Some(10.0));
    // Maps merged key by key.
    assert_eq!(
        js(prop(t, "ProcessFunction", "Environment")),
        json!({"Variables": {"STAGE": "prod", "TABLE": {"Ref": "Orders"}}})
    );
    assert_eq!(
        js(prop(t, "PublicFunction", "Environment")),
        json!({"Variables": {"STAGE": "prod", "MODE": "public"}})
    );
    // Tags: SAM's own tag, then the merged map, as a list.
    assert_eq!(
        js(prop(t, "ProcessFunction", "Tags")),
        json!([{"Key": "lambda:createdBy", "Value": "SAM"}, {"Key": "team", "Value": "payments"}])
    );
    // Api globals reach the implicit API's stage.
    assert_eq!(
        prop(t, "ServerlessRestApiProdStage", "TracingEnabled").as_bool(),
        Some(true)
    );
}

#[test]
fn globals_merge_rules_maps_lists_scalars() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Layers: [arn:aws:lambda:eu-west-1:123456789012:layer:base:1]
    MemorySize: 128
    Environment:
      Variables:
        A: global
        B: global
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: nodejs20.x
      MemorySize: 512
      Layers: [arn:aws:lambda:eu-west-1:123456789012:layer:extra:2]
      Environment:
        Variables:
          B: local
"#;
    let out = run_yaml("g.yaml", text);
    let t = &out.template;
    assert_eq!(prop(t, "F", "MemorySize").as_f64(), Some(512.0));
    assert_eq!(
        js(prop(t, "F", "Layers")),
        json!([
            "arn:aws:lambda:eu-west-1:123456789012:layer:base:1",
            "arn:aws:lambda:eu-west-1:123456789012:layer:extra:2"
        ])
    );
    assert_eq!(
        js(prop(t, "F", "Environment")),
        json!({"Variables": {"A": "global", "B": "local"}})
    );
}

#[test]
fn implicit_rest_api_deployment_stage_and_permission() {
    let out = app();
    let t = &out.template;
    assert_eq!(rtype(t, "ServerlessRestApi"), "AWS::ApiGateway::RestApi");
    let deployment: Vec<String> = ids(t)
        .into_iter()
        .filter(|i| i.starts_with("ServerlessRestApiDeployment"))
        .collect();
    assert_eq!(deployment.len(), 1, "{deployment:?}");
    let dep = &deployment[0];
    assert_eq!(dep.len(), "ServerlessRestApiDeployment".len() + 10);
    assert_eq!(rtype(t, dep), "AWS::ApiGateway::Deployment");
    assert_eq!(
        js(prop(t, dep, "RestApiId")),
        json!({"Ref": "ServerlessRestApi"})
    );
    assert_eq!(
        rtype(t, "ServerlessRestApiProdStage"),
        "AWS::ApiGateway::Stage"
    );
    assert_eq!(
        prop(t, "ServerlessRestApiProdStage", "StageName").as_str(),
        Some("Prod")
    );
    assert_eq!(
        js(prop(t, "ServerlessRestApiProdStage", "DeploymentId")),
        json!({"Ref": dep})
    );
    // The body routes GET /hello to the function.
    assert_eq!(
        js(prop(
            t,
            "ServerlessRestApi",
            "Body.paths./hello.get.x-amazon-apigateway-integration.uri"
        )),
        json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ProcessFunction.Arn}/invocations"})
    );
    let perm = "ProcessFunctionHelloPermissionProd";
    assert_eq!(rtype(t, perm), "AWS::Lambda::Permission");
    assert_eq!(
        prop(t, perm, "Principal").as_str(),
        Some("apigateway.amazonaws.com")
    );
    assert_eq!(
        js(prop(t, perm, "FunctionName")),
        json!({"Ref": "ProcessFunction"})
    );
    assert_eq!(
        js(prop(t, perm, "SourceArn")),
        json!({"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/GET/hello", {"__ApiId__": {"Ref": "ServerlessRestApi"}, "__Stage__": "*"}]})
    );
    // Generated API resources point at the event that made them.
    assert_eq!(line(res(t, "ServerlessRestApi")), line_of(APP, "Hello:"));
    assert_eq!(line(res(t, perm)), line_of(APP, "Hello:"));
}

#[test]
fn explicit_api_stage_settings_and_alias_target() {
    let out = app();
    let t = &out.template;
    assert_eq!(rtype(t, "AdminApi"), "AWS::ApiGateway::RestApi");
    assert_eq!(
        js(prop(t, "AdminApi", "EndpointConfiguration")),
        json!({"Types": ["REGIONAL"]})
    );
    assert_eq!(rtype(t, "AdminApiv1Stage"), "AWS::ApiGateway::Stage");
    assert_eq!(
        js(prop(t, "AdminApiv1Stage", "MethodSettings")),
        json!([{"ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": "INFO"}])
    );
    assert_eq!(
        prop(t, "AdminApiv1Stage", "TracingEnabled").as_bool(),
        Some(true)
    );
    assert_eq!(
        line(prop(t, "AdminApiv1Stage", "MethodSettings")),
        line_of(APP, "MethodSettings:")
    );
    // AutoPublishAlias: version and alias; the API event targets the alias.
    assert_eq!(rtype(t, "AdminFunctionAliaslive"), "AWS::Lambda::Alias");
    let version: Vec<String> = ids(t)
        .into_iter()
        .filter(|i| i.starts_with("AdminFunctionVersion"))
        .collect();
    assert_eq!(version.len(), 1);
    assert_eq!(
        js(prop(t, "AdminFunctionAliaslive", "FunctionVersion")),
        json!({"Fn::GetAtt": [version[0], "Version"]})
    );
    let perm = "AdminFunctionAdminPermissionv1";
    assert_eq!(
        js(prop(t, perm, "FunctionName")),
        json!({"Ref": "AdminFunctionAliaslive"})
    );
    assert_eq!(
        js(prop(t, perm, "SourceArn")),
        json!({"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/*/admin", {"__ApiId__": {"Ref": "AdminApi"}, "__Stage__": "*"}]})
    );
    assert!(prop(
        t,
        "AdminApi",
        "Body.paths./admin/.x-amazon-apigateway-any-method"
    )
    .get("x-amazon-apigateway-integration")
    .is_some());
    assert_eq!(
        js(prop(t, "AdminFunction", "Code")),
        json!({"ZipFile": "def admin(event, context): pass"})
    );
}

#[test]
fn function_url_auth_none_is_public_and_explicit_role_means_no_generated_role() {
    let out = app();
    let t = &out.template;
    assert_eq!(rtype(t, "PublicFunctionUrl"), "AWS::Lambda::Url");
    assert_eq!(
        prop(t, "PublicFunctionUrl", "AuthType").as_str(),
        Some("NONE")
    );
    assert_eq!(
        js(prop(t, "PublicFunctionUrl", "TargetFunctionArn")),
        json!({"Ref": "PublicFunction"})
    );
    let p = "PublicFunctionUrlPublicPermissions";
    assert_eq!(rtype(t, p), "AWS::Lambda::Permission");
    assert_eq!(prop(t, p, "Principal").as_str(), Some("*"));
    assert_eq!(
        prop(t, p, "Action").as_str(),
        Some("lambda:InvokeFunctionUrl")
    );
    assert_eq!(prop(t, p, "FunctionUrlAuthType").as_str(), Some("NONE"));
    assert_eq!(line(res(t, p)), line_of(APP, "AuthType: NONE"));
    assert_eq!(
        line(res(t, "PublicFunctionUrl")),
        line_of(APP, "FunctionUrlConfig:")
    );
    assert_eq!(
        prop(
            t,
            "PublicFunctionURLInvokeAllowPublicAccess",
            "InvokedViaFunctionUrl"
        )
        .as_bool(),
        Some(true)
    );
    // Explicit role: kept, no generated role.
    assert_eq!(
        prop(t, "PublicFunction", "Role").as_str(),
        Some("arn:aws:iam::123456789012:role/existing")
    );
    assert!(!ids(t).contains(&"PublicFunctionRole".to_string()));
    // Local CodeUri: the code is unknown, never guessed.
    assert!(prop(t, "PublicFunction", "Code").is_unknown());
}

#[test]
fn url_with_iam_auth_has_no_public_permission() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: nodejs20.x
      FunctionUrlConfig:
        AuthType: AWS_IAM
"#;
    let out = run_yaml("u.yaml", text);
    let t = &out.template;
    assert_eq!(prop(t, "FUrl", "AuthType").as_str(), Some("AWS_IAM"));
    assert!(!ids(t).contains(&"FUrlPublicPermissions".to_string()));
}

#[test]
fn http_api_event_makes_the_implicit_http_api() {
    let out = app();
    let t = &out.template;
    assert_eq!(rtype(t, "ServerlessHttpApi"), "AWS::ApiGatewayV2::Api");
    let stage = "ServerlessHttpApiApiGatewayDefaultStage";
    assert_eq!(rtype(t, stage), "AWS::ApiGatewayV2::Stage");
    assert_eq!(prop(t, stage, "StageName").as_str(), Some("$default"));
    assert_eq!(prop(t, stage, "AutoDeploy").as_bool(), Some(true));
    let perm = "PublicFunctionRootPermission";
    assert_eq!(
        js(prop(t, perm, "SourceArn")),
        json!({"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/*", {"__ApiId__": {"Ref": "ServerlessHttpApi"}, "__Stage__": "*"}]})
    );
}

#[test]
fn sqs_s3_and_schedule_events() {
    let out = app();
    let t = &out.template;
    assert_eq!(
        rtype(t, "ProcessFunctionQueue"),
        "AWS::Lambda::EventSourceMapping"
    );
    assert_eq!(
        js(prop(t, "ProcessFunctionQueue", "EventSourceArn")),
        json!({"Fn::GetAtt": ["Jobs", "Arn"]})
    );
    assert_eq!(
        prop(t, "ProcessFunctionQueue", "BatchSize").as_f64(),
        Some(5.0)
    );
    let s3 = "ProcessFunctionUploadPermission";
    assert_eq!(prop(t, s3, "Principal").as_str(), Some("s3.amazonaws.com"));
    assert_eq!(
        js(prop(t, s3, "SourceAccount")),
        json!({"Ref": "AWS::AccountId"})
    );
    assert_eq!(
        js(prop(
            t,
            "Uploads",
            "NotificationConfiguration.LambdaConfigurations"
        )),
        json!([{"Event": "s3:ObjectCreated:*", "Function": {"Fn::GetAtt": ["ProcessFunction", "Arn"]}}])
    );
    assert_eq!(rtype(t, "ProcessFunctionNightly"), "AWS::Events::Rule");
    assert_eq!(
        prop(t, "ProcessFunctionNightly", "ScheduleExpression").as_str(),
        Some("rate(1 day)")
    );
    assert_eq!(
        js(prop(t, "ProcessFunctionNightlyPermission", "SourceArn")),
        json!({"Fn::GetAtt": ["ProcessFunctionNightly", "Arn"]})
    );
}

#[test]
fn simple_table_and_transform_entry_removed() {
    let out = app();
    let t = &out.template;
    assert_eq!(rtype(t, "Orders"), "AWS::DynamoDB::Table");
    assert_eq!(
        js(prop(t, "Orders", "SSESpecification")),
        json!({"SSEEnabled": true})
    );
    assert_eq!(
        js(prop(t, "Orders", "KeySchema")),
        json!([{"AttributeName": "id", "KeyType": "HASH"}])
    );
    assert!(t.get("Transform").is_none());
    // Plain resources untouched.
    assert_eq!(rtype(t, "Jobs"), "AWS::SQS::Queue");
    assert!(!ids(t)
        .iter()
        .any(|i| rtype(t, i).starts_with("AWS::Serverless::")));
}

#[test]
fn other_transforms_stay() {
    let text = r#"
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  T:
    Type: AWS::Serverless::SimpleTable
"#;
    let out = run_yaml("t.yaml", text);
    assert_eq!(
        js(out.template.get("Transform").unwrap()),
        json!(["AWS::LanguageExtensions"])
    );
}

#[test]
fn without_the_transform_nothing_is_expanded_and_a_note_says_so() {
    let text = r#"
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Handler: h
"#;
    let out = run_yaml("n.yaml", text);
    assert_eq!(rtype(&out.template, "F"), "AWS::Serverless::Function");
    assert_eq!(out.notes.len(), 1);
    assert_eq!(out.notes[0].line, 3);
}

#[test]
fn unknown_policy_template_makes_the_role_permissions_unknown_with_a_note() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: nodejs20.x
      Policies:
        - NotARealPolicyTemplate:
            Thing: x
        - S3ReadPolicy: {}
"#;
    let out = run_yaml("p.yaml", text);
    let t = &out.template;
    let policies = prop(t, "FRole", "Policies");
    let first = policies.path("0.PolicyDocument").unwrap();
    assert!(first.is_unknown(), "{first:?}");
    assert_eq!(line(first), 11);
    assert!(out
        .notes
        .iter()
        .any(|n| n.line == 11 && n.message.contains("NotARealPolicyTemplate")));
    // A template without its parameter: an error (SAM rejects it), permissions unknown.
    assert!(policies.path("1.PolicyDocument").unwrap().is_unknown());
    assert!(out
        .errors
        .iter()
        .any(|e| e.line == 13 && e.message.contains("`BucketName`")));
}

#[test]
fn a_managed_policy_arn_and_an_intrinsic_are_kept() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: nodejs20.x
      Policies:
        - arn:aws:iam::123456789012:policy/custom
        - !Ref ExtraPolicyArn
        - AdministratorAccess
        - AWSLambdaBasicExecutionRole
"#;
    let out = run_yaml("m.yaml", text);
    assert_eq!(
        js(prop(&out.template, "FRole", "ManagedPolicyArns")),
        json!([
            managed("service-role/AWSLambdaBasicExecutionRole"),
            "arn:aws:iam::123456789012:policy/custom",
            {"Ref": "ExtraPolicyArn"},
            managed("AdministratorAccess"),
        ])
    );
    assert!(res(&out.template, "FRole")
        .path("Properties.Policies")
        .is_none());
}

#[test]
fn role_fn_if_with_no_value_generates_a_conditional_role() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Conditions:
  UseOwnRole: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: nodejs20.x
      Role: !If [UseOwnRole, arn:aws:iam::123456789012:role/own, !Ref AWS::NoValue]
"#;
    let out = run_yaml("r.yaml", text);
    let t = &out.template;
    assert_eq!(
        js(prop(t, "F", "Role")),
        json!({"Fn::If": ["UseOwnRole", "arn:aws:iam::123456789012:role/own", {"Fn::GetAtt": ["FRole", "Arn"]}]})
    );
    assert_eq!(
        res(t, "FRole").get("Condition").and_then(Node::as_str),
        Some("NOTUseOwnRole")
    );
    assert_eq!(
        js(t.path("Conditions.NOTUseOwnRole").unwrap()),
        json!({"Fn::Not": [{"Condition": "UseOwnRole"}]})
    );
}

#[test]
fn state_machine_gets_a_role_with_its_policies() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Done
        States:
          Done: {Type: Succeed}
      Policies:
        - LambdaInvokePolicy:
            FunctionName: worker
"#;
    let out = run_yaml("s.yaml", text);
    let t = &out.template;
    assert_eq!(rtype(t, "Flow"), "AWS::StepFunctions::StateMachine");
    assert_eq!(
        js(prop(t, "Flow", "RoleArn")),
        json!({"Fn::GetAtt": ["FlowRole", "Arn"]})
    );
    assert_eq!(
        js(prop(
            t,
            "FlowRole",
            "AssumeRolePolicyDocument.Statement.0.Principal"
        )),
        json!({"Service": ["states.amazonaws.com"]})
    );
    assert_eq!(
        prop(t, "FlowRole", "Policies.0.PolicyName").as_str(),
        Some("FlowRolePolicy0")
    );
    assert_eq!(js(prop(t, "FlowRole", "ManagedPolicyArns")), json!([]));
}

#[test]
fn layer_application_and_connector() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://layers/deps.zip
      CompatibleRuntimes: [python3.12]
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: ./child.yaml
  Link:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Deps}
      Destination: {Id: Child}
      Permissions: [Read]
"#;
    let out = run_yaml("l.yaml", text);
    let t = &out.template;
    assert_eq!(rtype(t, "Deps"), "AWS::Lambda::LayerVersion");
    assert_eq!(prop(t, "Deps", "LayerName").as_str(), Some("Deps"));
    assert_eq!(
        js(prop(t, "Deps", "Content")),
        json!({"S3Bucket": "layers", "S3Key": "deps.zip"})
    );
    assert_eq!(rtype(t, "Child"), "AWS::CloudFormation::Stack");
    assert_eq!(
        prop(t, "Child", "TemplateURL").as_str(),
        Some("./child.yaml")
    );
    assert!(out
        .notes
        .iter()
        .any(|n| n.line == 13 && n.message.contains("`Link`")));
}

#[test]
fn hand_built_node_without_locations() {
    // The transform works on nodes built from JSON too (no locations).
    let mut template = Node::new(
        Value::from_json(&json!({
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "F": {"Type": "AWS::Serverless::Function", "Properties": {
                    "CodeUri": {"Bucket": "b", "Key": "k", "Version": "3"},
                    "Handler": "h", "Runtime": "go1.x",
                    "Policies": "AmazonS3ReadOnlyAccess"
                }}
            }
        })),
        None,
    );
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    transform(&mut template, &mut errors, &mut notes);
    assert!(errors.is_empty());
    assert_eq!(
        js(prop(&template, "F", "Code")),
        json!({"S3Bucket": "b", "S3Key": "k", "S3ObjectVersion": "3"})
    );
    assert_eq!(
        js(prop(&template, "FRole", "ManagedPolicyArns.1")),
        managed("AmazonS3ReadOnlyAccess")
    );
}

#[test]
fn referenceable_properties_name_the_generated_resources() {
    let out = app();
    let t = &out.template;
    assert_eq!(
        js(t.path("Outputs.AdminAlias.Value").unwrap()),
        json!({"Ref": "AdminFunctionAliaslive"})
    );
    assert_eq!(
        js(t.path("Outputs.AdminUrl.Value").unwrap()),
        json!({"Fn::Sub": "https://${AdminApi}.execute-api.${AWS::Region}.amazonaws.com/${AdminApiv1Stage}/"})
    );
    assert_eq!(
        js(t.path("Outputs.HelloRole.Value").unwrap()),
        json!({"Fn::GetAtt": ["ProcessFunctionRole", "Arn"]})
    );
}

const MORE: &str = include_str!("fixtures/sam/more.yaml");

/// Hash suffixes (`...Deployment1a2b3c4d5e`, `...Version...`, `deployment id: ...`) as `HASH`:
/// moat's digests differ from SAM's on purpose.
fn without_hashes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    'outer: while !rest.is_empty() {
        for word in ["Deployment", "Version", "deployment id: "] {
            if let Some(after) = rest.strip_prefix(word) {
                let hex = after
                    .chars()
                    .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
                    .count();
                let next = after.chars().nth(hex);
                let ends = next.is_none_or(|c| !c.is_ascii_alphanumeric());
                if (hex == 10 || (word.starts_with('d') && hex >= 10)) && ends {
                    out.push_str(word);
                    out.push_str("HASH");
                    rest = &after[hex..];
                    continue 'outer;
                }
            }
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Our expansion of `text` against the SAM translator's own output for it (stored, normalised:
/// see the `_comment` of the `.sam.json` file), resource by resource.
fn same_as_sam(file: &str, text: &str, expected: &str, skip: &[&str]) {
    let out = run_yaml(file, text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let mut ours = js(out.template.path("Resources").unwrap());
    let map = ours.as_object_mut().unwrap();
    map.retain(|k, _| !skip.contains(&k.as_str()));
    let ours: serde_json::Value =
        serde_json::from_str(&without_hashes(&serde_json::to_string(&ours).unwrap())).unwrap();
    let sam: serde_json::Value = serde_json::from_str(expected).unwrap();
    let sam = &sam["Resources"];
    let ours_ids: Vec<&String> = ours.as_object().unwrap().keys().collect();
    let sam_ids: Vec<&String> = sam.as_object().unwrap().keys().collect();
    assert_eq!(ours_ids, sam_ids, "logical IDs differ from SAM's");
    for id in ours_ids {
        assert_eq!(ours[id], sam[id], "`{id}` differs from SAM's translation");
    }
}

#[test]
fn app_fixture_expands_as_the_sam_translator_does() {
    // SAM itself only translates S3 code locations (the CLI uploads local ones first).
    let text = APP.replace("CodeUri: ./src", "CodeUri: s3://artifacts/public.zip");
    same_as_sam(
        APP_FILE,
        &text,
        include_str!("fixtures/sam/app.sam.json"),
        &[],
    );
}

#[test]
fn more_fixture_expands_as_the_sam_translator_does() {
    // Left out: the layer (SAM appends a hash to its logical ID, moat keeps it) and the HTTP
    // API's body (SAM wraps routes of conditional functions in `Fn::If` and lists path
    // parameters; moat writes the routes plainly).
    same_as_sam(
        "sam/more.yaml",
        MORE,
        include_str!("fixtures/sam/more.sam.json"),
        &["Deps", "Backend"],
    );
}

#[test]
fn more_fixture_facts() {
    let out = run_yaml("sam/more.yaml", MORE);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let t = &out.template;
    // `Role: !If [OwnRole, <arn>, AWS::NoValue]`: the role exists when the condition is false.
    assert_eq!(
        res(t, "WorkerRole").get("Condition").and_then(Node::as_str),
        Some("NOTOwnRole")
    );
    // A policy template under `Fn::If` keeps its condition and its index.
    assert_eq!(
        prop(t, "WorkerRole", "Policies.2.Fn::If.1.PolicyName").as_str(),
        Some("WorkerRolePolicy0")
    );
    // Path parameters are `*` in the source ARN of an invoke permission.
    assert!(js(prop(t, "WorkerRoutePermission", "SourceArn"))
        .to_string()
        .contains("/GET/items/*"));
    // Alias names with `-` and `_` are spelled with `D` and `U` in the logical ID.
    assert_eq!(rtype(t, "WorkerAliasprodD1"), "AWS::Lambda::Alias");
    assert_eq!(prop(t, "ImageEvery", "State").as_str(), Some("DISABLED"));
    assert_eq!(
        js(prop(t, "FlowRole", "ManagedPolicyArns")),
        json!([managed("AWSXrayWriteOnlyAccess")])
    );
    assert_eq!(
        prop(t, "Items", "AttributeDefinitions.0.AttributeType").as_str(),
        Some("N")
    );
    assert_eq!(
        res(t, "Deps").get("DeletionPolicy").and_then(Node::as_str),
        Some("Delete")
    );
}

#[test]
fn every_policy_template_expands_as_the_sam_translator_does() {
    // One function whose `Policies` lists each of SAM's policy templates with a made-up
    // value per parameter: the role's inline policies equal SAM's, statement for statement.
    let text = include_str!("fixtures/sam/templates.yaml");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("        - ")).count(),
        81
    );
    same_as_sam(
        "sam/templates.yaml",
        text,
        include_str!("fixtures/sam/templates.sam.json"),
        &[],
    );
}

#[test]
fn implicit_api_of_conditional_functions_is_conditional() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Conditions:
  A: !Equals [!Ref 'AWS::Region', eu-west-1]
  B: !Equals [!Ref 'AWS::Region', eu-west-2]
Resources:
  F:
    Type: AWS::Serverless::Function
    Condition: A
    Properties: {CodeUri: 's3://b/k', Handler: h, Runtime: python3.12, Events: {E: {Type: Api, Properties: {Path: /f, Method: get}}}}
  G:
    Type: AWS::Serverless::Function
    Condition: B
    Properties: {CodeUri: 's3://b/k', Handler: h, Runtime: python3.12, Events: {E: {Type: Api, Properties: {Path: /g, Method: get}}}}
  H:
    Type: AWS::Serverless::Function
    Condition: A
    Properties: {CodeUri: 's3://b/k', Handler: h, Runtime: python3.12, Events: {E: {Type: HttpApi}}}
"#;
    let out = run_yaml("c.yaml", text);
    let t = &out.template;
    let cond = |id: &str| res(t, id).get("Condition").and_then(Node::as_str);
    assert_eq!(
        cond("ServerlessRestApi"),
        Some("ServerlessRestApiCondition")
    );
    assert_eq!(
        js(t.path("Conditions.ServerlessRestApiCondition").unwrap()),
        json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]})
    );
    // The stage and deployment follow their API.
    assert_eq!(
        cond("ServerlessRestApiProdStage"),
        Some("ServerlessRestApiCondition")
    );
    // One condition: used as is.
    assert_eq!(cond("ServerlessHttpApi"), Some("A"));
    assert_eq!(cond("ServerlessHttpApiApiGatewayDefaultStage"), Some("A"));
    // A function without condition makes the implicit API unconditional.
    let out = run_yaml("c2.yaml", &text.replace("    Condition: B\n", ""));
    assert_eq!(
        res(&out.template, "ServerlessRestApi").get("Condition"),
        None
    );
}

#[test]
fn connectors_make_the_source_role_permissions_unknown() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::Serverless::SimpleTable
  Queue:
    Type: AWS::SQS::Queue
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Connectors:
        ToTable:
          Properties:
            Destination: {Id: Table}
            Permissions: [Read, Write]
  Link:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: F}
      Destination: {Id: Queue}
      Permissions: [Write]
"#;
    let out = run_yaml("k.yaml", text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let t = &out.template;
    for (id, line_no) in [("FToTablePolicy", 15), ("LinkPolicy", 19)] {
        assert_eq!(rtype(t, id), "AWS::IAM::ManagedPolicy");
        assert_eq!(js(prop(t, id, "Roles")), json!([{"Ref": "FRole"}]));
        assert!(prop(t, id, "PolicyDocument").is_unknown());
        assert_eq!(line(res(t, id)), line_no);
        assert!(out
            .notes
            .iter()
            .any(|n| n.line == line_no && n.message.contains("`FRole` are unknown")));
    }
    assert!(!ids(t).contains(&"Link".to_string()));
}
