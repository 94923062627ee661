"""The suite's pure core: what the contract says, the exchanges, the checks, the variants, the reports.

Plain functions over plain data; nothing here sends a request or knows pytest."""
