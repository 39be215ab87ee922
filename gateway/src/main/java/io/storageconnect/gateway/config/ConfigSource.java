package io.storageconnect.gateway.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the configuration came from, so that it can be parsed again on a live reload: the file
 * (or none, when everything comes from the environment) and the environment variables read at
 * start-up. Pure: the caller reads the file; this only parses its text.
 *
 * @param file the configuration file, absolute, or {@code null}
 */
public record ConfigSource(Path file, Map<String, String> env) {
  public ConfigSource {
    env = Map.copyOf(env);
  }

  /** Relative paths in the configuration are resolved against the file's directory. */
  public Path baseDir() {
    return file == null ? Path.of("").toAbsolutePath() : file.getParent();
  }

  /** Parses the configuration file's text (empty or {@code null} without a file). */
  public GatewayConfig parse(String text) throws ConfigParser.InvalidConfigException {
    return ConfigParser.parse(text, env, baseDir());
  }
}
