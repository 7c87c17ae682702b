"""The only code that talks to AWS (boto3): archive, case table, event bus, keys, identity."""
