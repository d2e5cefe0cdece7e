//! A hand-built IAM estate for the graph and escalation tests (`#[path]`-included by each):
//! principals with identity policies from JSON, roles with trust policies as resources.

#![allow(dead_code)]

use moat_iam::estate::{EstatePrincipal, EstateResource, IamEstate, ResourceKind};
use moat_iam::eval::NamedPolicy;
use moat_iam::policy::Policy;
use moat_iam::principal::PrincipalKind;
use serde_json::{json, Value};

pub const ACCT: &str = "111122223333";

pub struct B {
    pub e: IamEstate,
}

impl B {
    pub fn new() -> B {
        B {
            e: IamEstate {
                account: Some(ACCT.to_string()),
                ..IamEstate::default()
            },
        }
    }

    pub fn policy(&mut self, name: &str, doc: Value) -> usize {
        let p = Policy::from_json(&doc).unwrap();
        self.e.policies.push(NamedPolicy::new(name, p));
        self.e.policies.len() - 1
    }

    pub fn principal(&mut self, kind: PrincipalKind, name: &str, identity: Vec<Value>) -> usize {
        let k = if kind == PrincipalKind::Role {
            "role"
        } else {
            "user"
        };
        let ids: Vec<usize> = identity
            .into_iter()
            .enumerate()
            .map(|(i, d)| self.policy(&format!("{name}.identity[{i}]"), d))
            .collect();
        self.e.principals.push(EstatePrincipal {
            address: format!("aws_iam_{k}.{name}"),
            kind,
            arn: format!("arn:aws:iam::{ACCT}:{k}/{name}"),
            name: Some(name.to_string()),
            identity: ids,
            boundary: None,
            trust: None,
            loc: None,
        });
        self.e.principals.len() - 1
    }

    pub fn user(&mut self, name: &str, identity: Vec<Value>) -> usize {
        self.principal(PrincipalKind::User, name, identity)
    }

    pub fn role(&mut self, name: &str, trust: Value, identity: Vec<Value>) -> usize {
        let i = self.principal(PrincipalKind::Role, name, identity);
        let t = self.policy(&format!("aws_iam_role.{name}.trust"), trust);
        self.e.principals[i].trust = Some(t);
        self.e.resources.push(EstateResource {
            address: format!("aws_iam_role.{name}"),
            kind: ResourceKind::Role,
            arns: vec![role_arn(name)],
            policies: vec![t],
            loc: None,
        });
        i
    }
}

pub fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:role/{name}")
}

pub fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:user/{name}")
}

pub fn allow(actions: Value, resource: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})
}

pub fn trust(principal: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})
}
