#!/bin/bash
# The compose deployment's Kafka broker, secured like the one `mesh broker` runs (platform/mesh_platform/kafka/
# server_config.py): clients authenticate with SASL/SCRAM-SHA-512, broker and controller with SASL/PLAIN, KRaft's
# StandardAuthorizer denies whatever no ACL allows, topics are never auto-created (the `event-plane` service
# provisions them from the contracts). The super user's SCRAM credential is written when the storage is formatted
# (KIP-900), so it exists from the first start on.
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}" "${KAFKA_CONTROLLER_PASSWORD:?set KAFKA_CONTROLLER_PASSWORD}"
: "${KAFKA_CLUSTER_ID:?set KAFKA_CLUSTER_ID}"
umask 077  # the files below hold passwords
config=/tmp/server.properties
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=CLIENT://:9092,CONTROLLER://:9093
advertised.listeners=CLIENT://kafka:9092
inter.broker.listener.name=CLIENT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="${KAFKA_CONTROLLER_PASSWORD}" user_controller="${KAFKA_CONTROLLER_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:controller
auto.create.topics.enable=false
log.dirs=/var/lib/kafka/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.ms=-1
log.retention.bytes=-1
PROPERTIES
# What the healthcheck (and an operator in the container) connects with.
cat > /tmp/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPERTIES
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$KAFKA_CLUSTER_ID" -c "$config" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
