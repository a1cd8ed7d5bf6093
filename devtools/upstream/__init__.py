"""A simulated upstream service: what it writes to orderflow over HTTP and Kafka."""
