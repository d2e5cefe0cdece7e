//! Is this file a CloudFormation template? Decided by content, never by file name (being written).

/// A cheap test on the text before parsing: could this be a template?
pub fn may_be_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"))
}
