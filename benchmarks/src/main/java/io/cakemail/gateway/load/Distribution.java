package io.cakemail.gateway.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Integer values drawn with weights, written {@code 1024} (always 1024) or {@code 1024:90,102400:10}.
 */
record Distribution(int[] values, int[] cumulativeWeights) {

    static Distribution parse(String spec) {
        List<Integer> values = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] valueWeight = part.trim().split(":");
            values.add(Integer.parseInt(valueWeight[0].trim()));
            weights.add(valueWeight.length > 1 ? Integer.parseInt(valueWeight[1].trim()) : 1);
        }
        int[] cumulative = new int[weights.size()];
        int total = 0;
        for (int i = 0; i < weights.size(); i++) {
            total += weights.get(i);
            cumulative[i] = total;
        }
        return new Distribution(values.stream().mapToInt(Integer::intValue).toArray(), cumulative);
    }

    int next() {
        int pick = ThreadLocalRandom.current().nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
        for (int i = 0; i < cumulativeWeights.length; i++) {
            if (pick < cumulativeWeights[i]) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    int max() {
        int max = 0;
        for (int value : values) {
            max = Math.max(max, value);
        }
        return max;
    }
}
