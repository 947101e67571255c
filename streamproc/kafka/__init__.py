"""The one Kafka client boundary: every confluent-kafka, aiokafka and Faust client is built here."""
