#!/bin/bash
# The compose deployment's Kafka broker, secured like the one `mesh broker` runs (tools/mesh_tools/broker/
# server_config.py): clients authenticate with SASL/SCRAM-SHA-512, broker and controller with SASL/PLAIN, KRaft's
# StandardAuthorizer denies whatever no ACL allows, topics are never auto-created (the `event-plane` service
# provisions them from the contracts). The super user's SCRAM credential is written when the storage is formatted
# (KIP-900), so it exists from the first start on.
#
# One node of a KRaft cluster (every node both broker and controller): KAFKA_NODE_ID, KAFKA_ADVERTISED_HOST (how
# the other nodes and the clients reach it), KAFKA_QUORUM_VOTERS (every node, `id@host:9093,...`) and
# KAFKA_CLUSTER_SIZE. From three nodes on, internal topics and unconfigured topics keep three replicas, two of which
# must acknowledge (min.insync.replicas=2), as `mesh up --brokers 3` runs it (server_config.cluster_properties);
# the defaults are a single node. KAFKA_RENDER_ONLY=1 writes the files to KAFKA_CONFIG_DIR and stops (for tests).
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}" "${KAFKA_CONTROLLER_PASSWORD:?set KAFKA_CONTROLLER_PASSWORD}"
: "${KAFKA_CLUSTER_ID:?set KAFKA_CLUSTER_ID}"
node_id=${KAFKA_NODE_ID:-1}
host=${KAFKA_ADVERTISED_HOST:-kafka}
voters=${KAFKA_QUORUM_VOTERS:-${node_id}@${host}:9093}
nodes=${KAFKA_CLUSTER_SIZE:-1}
if [ "$nodes" -ge 3 ]; then replicas=3; else replicas=$nodes; fi
min_isr=$(( replicas > 1 ? replicas - 1 : 1 ))
config_dir=${KAFKA_CONFIG_DIR:-/tmp}
umask 077  # the files below hold passwords
config=$config_dir/server.properties
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=${node_id}
controller.quorum.voters=${voters}
listeners=CLIENT://:9092,CONTROLLER://:9093
advertised.listeners=CLIENT://${host}:9092
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
offsets.topic.replication.factor=${replicas}
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${min_isr}
share.coordinator.state.topic.replication.factor=${replicas}
share.coordinator.state.topic.min.isr=${min_isr}
group.initial.rebalance.delay.ms=0
log.retention.ms=-1
log.retention.bytes=-1
PROPERTIES
if [ "$nodes" -gt 1 ]; then
  printf 'default.replication.factor=%s\nmin.insync.replicas=%s\n' "$replicas" "$min_isr" >> "$config"
fi
# What the healthcheck (and an operator in the container) connects with.
cat > "$config_dir/admin.properties" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPERTIES
if [ "${KAFKA_RENDER_ONLY:-}" = 1 ]; then exit 0; fi
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$KAFKA_CLUSTER_ID" -c "$config" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
