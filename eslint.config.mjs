// ESLint: typescript-eslint's type-aware recommended rules on the library and the tests, the recommended JavaScript
// rules on the scripts; Prettier owns formatting (eslint-config-prettier's role is played by not enabling style rules).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "artifacts/", ".cache/", ".jupyter/", "coverage/"] },
  {
    files: ["lib/**/*.ts", "test/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() and describe() return promises the runner awaits itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            {
              from: "package",
              package: "node:test",
              name: ["test", "describe", "it", "suite", "before", "after", "beforeEach", "afterEach"],
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Short functions: a function that needs more than ~80 lines is several stages; tests' describe blocks are exempt.
    files: ["lib/**/*.ts", "scripts/**/*.js", "bin/**/*.js"],
    rules: { "max-lines-per-function": ["error", { max: 85, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ["scripts/**/*.js", "bin/**/*.js", "*.cjs"],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
    rules: { "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }] },
  },
);
