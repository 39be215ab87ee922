# syntax=docker/dockerfile:1
# Build: the same Maven build as the README (tests run in CI, not here).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY gateway/pom.xml gateway/pom.xml
COPY loadtest/pom.xml loadtest/pom.xml
RUN mvn -B -q -pl gateway -am dependency:go-offline
COPY gateway gateway
RUN mvn -B -q -pl gateway -am -DskipTests package

# Run: a small JRE image, non-root, configuration mounted at /config.
FROM eclipse-temurin:17-jre-alpine
RUN addgroup -S gateway && adduser -S -G gateway -H gateway && apk add --no-cache curl
WORKDIR /app
COPY --from=build /src/gateway/target/gateway-*.jar /app/gateway.jar
USER gateway
ENV GATEWAY_CONFIG=/config/gateway.yaml \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["java", "-jar", "/app/gateway.jar"]
