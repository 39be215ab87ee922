package io.storageconnect.gateway.config;

import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A YAML syntax error as one safe line: where (line and column, 1-based) and what, never the
 * text around it — a configuration line may hold a secret, a catalog line a customer's key.
 */
public final class YamlProblems {
  private YamlProblems() {}

  public static String describe(YamlEngineException e) {
    if (e instanceof MarkedYamlEngineException marked && marked.getProblem() != null) {
      return marked.getProblemMark()
          .map(m -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": " + marked.getProblem())
          .orElse(marked.getProblem());
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    return message.split("\n")[0];
  }
}
