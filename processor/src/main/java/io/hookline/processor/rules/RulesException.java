package io.hookline.processor.rules;

import java.util.List;

/** The rules file is wrong: every problem found, each naming its line. */
public class RulesException extends Exception {

    private final List<String> problems;

    public RulesException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
