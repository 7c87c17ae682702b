"""The deployable stack (CloudFormation) and the local stack on moto built to match it."""
