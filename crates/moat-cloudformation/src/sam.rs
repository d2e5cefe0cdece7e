//! The SAM transform (`AWS::Serverless-2016-10-31`), as SAM expands it (being written).
