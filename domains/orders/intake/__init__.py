"""Order intake: upstream services submit orders over HTTP or Kafka, one command for both."""
