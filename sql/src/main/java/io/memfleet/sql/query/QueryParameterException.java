package io.memfleet.sql.query;

/** A parameter value that is missing, unknown to the query, or not a value of its declared type. */
public final class QueryParameterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String parameter;

  public QueryParameterException(String parameter, String problem) {
    super("parameter '" + parameter + "' " + problem);
    this.parameter = parameter;
  }

  /** The name of the parameter at fault. */
  public String parameter() {
    return parameter;
  }
}
