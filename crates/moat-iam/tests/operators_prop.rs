//! Property tests for the value parsers behind the Date*, Binary, IpAddress and Arn operators.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>

use moat_iam::condition::{arn_like, base64_decode, cidr_contains, parse_date, parse_number};
use proptest::prelude::*;

/// Days since 1970-01-01 by counting, independently of the closed-form algorithm.
fn naive_days(y: i64, m: i64, d: i64) -> i64 {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = 0;
    if y >= 1970 {
        for yy in 1970..y {
            days += if leap(yy) { 366 } else { 365 };
        }
    } else {
        for yy in y..1970 {
            days -= if leap(yy) { 366 } else { 365 };
        }
    }
    let lens = [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    for len in lens.iter().take((m - 1) as usize) {
        days += len;
    }
    days + d - 1
}

proptest! {
    #[test]
    fn iso_dates_agree_with_counting(
        y in 1900i64..2200, m in 1i64..=12, d in 1i64..=28,
        h in 0i64..24, mi in 0i64..60, s in 0i64..60,
    ) {
        let text = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
        let want = ((naive_days(y, m, d) * 24 + h) * 60 + mi) * 60 + s;
        prop_assert_eq!(parse_date(&text), Some(want * 1000));
        if want >= 0 {
            prop_assert_eq!(parse_date(&want.to_string()), Some(want * 1000));
        }
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}", t in "[0-9a-fA-F:./TZ+=-]{0,40}") {
        let _ = parse_date(&s);
        let _ = parse_date(&t);
        let _ = parse_number(&s);
        let _ = base64_decode(&s);
        let _ = cidr_contains(&t, &t);
        let _ = cidr_contains(&s, &t);
        let _ = arn_like(&s, &t);
    }

    #[test]
    fn ipv4_containment_agrees_with_prefix_bits(a in any::<u32>(), b in any::<u32>(), len in 0u32..=32) {
        let net = std::net::Ipv4Addr::from(a);
        let ip = std::net::Ipv4Addr::from(b);
        let want = len == 0 || (a >> (32 - len)) == (b >> (32 - len));
        prop_assert_eq!(cidr_contains(&format!("{net}/{len}"), &ip.to_string()), want);
    }
}
