"""The serverless functions' logic: intake, render, sign, seal, archive, records, publish."""
