package io.hookline.processor.rules;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** A YAML document as a tree whose every node knows its line, so that a rules error can name the line. */
record YamlTree(Object value, int line) {

    @SuppressWarnings("unchecked")
    Map<String, YamlTree> map() {
        return value instanceof Map ? (Map<String, YamlTree>) value : null;
    }

    @SuppressWarnings("unchecked")
    List<YamlTree> list() {
        return value instanceof List ? (List<YamlTree>) value : null;
    }

    String text() {
        return value instanceof String s ? s : null;
    }

    static YamlTree parse(String yaml) throws RulesException {
        try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new YamlTree(new LinkedHashMap<String, YamlTree>(), 1);
            }
            List<String> twice = new ArrayList<>();
            YamlTree tree = read(parser, twice);
            if (!twice.isEmpty()) {
                throw new RulesException(twice);
            }
            return tree;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new RulesException(List.of("line " + line + ": not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new RulesException(List.of("cannot read the rules: " + e.getMessage()));
        }
    }

    /** A key given twice in one mapping is a problem: YAML would silently keep the last one. */
    private static YamlTree read(JsonParser parser, List<String> twice) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, YamlTree> map = new LinkedHashMap<>();
            Map<String, Integer> keyLines = new java.util.HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                int keyLine = parser.currentTokenLocation().getLineNr();
                parser.nextToken();
                YamlTree value = read(parser, twice);
                Integer first = keyLines.putIfAbsent(key, keyLine);
                if (first != null) {
                    twice.add("line " + keyLine + ": '" + key + "' is given a second time (first on line " + first
                            + "); a key may appear once");
                } else {
                    map.put(key, value);
                }
            }
            return new YamlTree(map, line);
        }
        if (token == JsonToken.START_ARRAY) {
            List<YamlTree> list = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                list.add(read(parser, twice));
            }
            return new YamlTree(list, line);
        }
        return new YamlTree(token == JsonToken.VALUE_NULL ? null : parser.getText(), line);
    }
}
