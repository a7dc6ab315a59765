package io.hookline.processor.match;

import java.util.ArrayList;
import java.util.List;

/**
 * A glob ({@code *} any run of characters, {@code ?} one character) matched without backtracking: the pattern is
 * cut at its stars, the first piece must start the text, the last must end it, and each piece between is found at
 * its earliest place after the one before. That is never more than text length × pattern length steps, so
 * thirty stars and a {@code !} cost what thirty characters do, not what a regex engine makes of {@code .*} thirty
 * times over.
 */
public final class Glob {

    /** What a glob may be: longer ones are refused where they are configured or stored. */
    public static final int MAX_LENGTH = 256;

    private final String pattern;
    private final List<String> pieces;
    private final boolean leadingStar;
    private final boolean trailingStar;

    private Glob(String pattern) {
        this.pattern = pattern;
        this.leadingStar = pattern.startsWith("*");
        this.trailingStar = pattern.endsWith("*");
        List<String> cut = new ArrayList<>();
        for (String piece : pattern.split("\\*", -1)) {
            if (!piece.isEmpty()) {
                cut.add(piece);
            }
        }
        this.pieces = List.copyOf(cut);
    }

    public static Glob of(String pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("a glob cannot be null");
        }
        if (pattern.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the pattern is " + pattern.length() + " characters long; at most "
                    + MAX_LENGTH);
        }
        return new Glob(pattern);
    }

    public String pattern() {
        return pattern;
    }

    public boolean matches(String text) {
        if (text == null) {
            text = "";
        }
        if (pieces.isEmpty()) {
            return leadingStar || text.isEmpty();
        }
        boolean hasStar = leadingStar || trailingStar || pieces.size() > 1;
        if (!hasStar) {
            return text.length() == pattern.length() && pieceAt(text, 0, pattern);
        }
        int from = 0;
        int first = 0;
        int last = pieces.size() - 1;
        if (!leadingStar) {
            String head = pieces.get(0);
            if (!pieceAt(text, 0, head)) {
                return false;
            }
            from = head.length();
            first = 1;
        }
        int end = text.length();
        if (!trailingStar) {
            String tail = pieces.get(last);
            int start = end - tail.length();
            if (last < first || start < from || !pieceAt(text, start, tail)) {
                return false;
            }
            end = start;
            last--;
        }
        for (int i = first; i <= last; i++) {
            String piece = pieces.get(i);
            int at = earliest(text, piece, from, end);
            if (at < 0) {
                return false;
            }
            from = at + piece.length();
        }
        return true;
    }

    /** The first place at or after {@code from} where the piece fits before {@code end}, or -1. */
    private static int earliest(String text, String piece, int from, int end) {
        for (int at = from; at + piece.length() <= end; at++) {
            if (pieceAt(text, at, piece)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean pieceAt(String text, int at, String piece) {
        if (at < 0 || at + piece.length() > text.length()) {
            return false;
        }
        for (int i = 0; i < piece.length(); i++) {
            char p = piece.charAt(i);
            if (p != '?' && p != text.charAt(at + i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
