//! CloudFormation's words for what messages name without a setting to take the path from
//! (see [`moat_model::aws::Terms`]): its defaults are CloudFormation's names already.

use moat_model::aws::Terms;

pub fn build() -> Terms {
    Terms::default()
}
