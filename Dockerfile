# The gateway's image for those who build with Docker: Maven builds the runnable jar, a Temurin 17 JRE runs it as
# an unprivileged user. The same image as Jib's (mvn -B -Pimage -DskipTests package, see docs/operations.md):
# deployment/src/test/java/.../ImageDefinitionsTest keeps the two in step.
#   docker build -t cakemail/smtp-gateway .
#   docker run -p 587:587 -p 465:465 -p 8080:8080 -e GATEWAY_SANDBOX=true -e GATEWAY_SANDBOX_BIND_ADDRESS=0.0.0.0 -p 8025:8025 cakemail/smtp-gateway

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -pl gateway-server -am package

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="Cakemail SMTP gateway" \
      org.opencontainers.image.source="https://github.com/cakemail/smtp-gateway"
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid gateway --home-dir /tmp --shell /usr/sbin/nologin gateway
COPY --from=build /src/gateway-server/target/smtp-gateway.jar /app/smtp-gateway.jar
ENV GATEWAY_SMTP_PORT=587 \
    GATEWAY_SMTPS_PORT=465 \
    GATEWAY_HTTP_PORT=8080 \
    GATEWAY_LOG_FORMAT=json
EXPOSE 587 465 8080
# For Docker and Compose (Kubernetes uses the chart's probes): liveness on the admin port, with bash's own /dev/tcp,
# as the image has no HTTP client. No --start-period (dockerfilelint 1.8 refuses it): the first check, 10 s after
# the start, finds the gateway ready (it is within a few seconds).
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${GATEWAY_HTTP_PORT} && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["java", "-XX:InitialRAMPercentage=40", "-XX:MaxRAMPercentage=40", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/smtp-gateway.jar"]
