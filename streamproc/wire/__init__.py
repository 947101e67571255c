"""The contract every process shares: topic names, headers, codecs, schemas, error and catalog records."""
