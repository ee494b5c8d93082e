/**
 * Tree-sitter queries per grammar. A definition pattern captures the declaration as `@definition.<kind>` and
 * its name as `@name`; when several patterns capture the same name, the one written first wins, so specific
 * patterns (a method inside a class) come before general ones (any function). References capture `@ref`.
 *
 * Bump SYMBOL_QUERIES_VERSION whenever a query or the header rule changes: persisted indexes keyed to an
 * older version are re-parsed.
 */
import type { GrammarName } from './languages';

export const SYMBOL_QUERIES_VERSION = 1;

export interface GrammarQueries {
  readonly definitions: string;
  readonly references: string;
  /**
   * Node types that hold a declaration's body. A signature runs from the declaration's first line to the line
   * where the first of these begins (searched when the node has no `body` field).
   */
  readonly bodyTypes: readonly string[];
}

const functionValues = '[(arrow_function) (function_expression) (generator_function)]';

/** Top-level `const f = () => …` and `let x = …`, exported or not; shared by JavaScript and TypeScript. */
function scriptVariables(declaration: string): string {
  const declarator = (value: string, kind: string) =>
    `(${declaration} (variable_declarator name: (identifier) @name ${value}) @definition.${kind})`;
  return [
    `(program ${declarator(`value: ${functionValues}`, 'function')})`,
    `(export_statement declaration: ${declarator(`value: ${functionValues}`, 'function')})`,
    `(program ${declarator('', 'variable')})`,
    `(export_statement declaration: ${declarator('', 'variable')})`,
  ].join('\n');
}

const scriptCommon = `
(method_definition name: [(property_identifier) (private_property_identifier)] @name) @definition.method
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (_) @name) @definition.class
${scriptVariables('lexical_declaration')}
${scriptVariables('variable_declaration')}
(program (expression_statement (assignment_expression
  left: (member_expression property: (property_identifier) @name) right: ${functionValues}) @definition.function))
`;

const typescript: GrammarQueries = {
  definitions: `${scriptCommon}
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: (_) @name) @definition.module
(module name: (_) @name) @definition.module
(function_signature name: (identifier) @name) @definition.function
[(method_signature name: (property_identifier) @name) (abstract_method_signature name: (property_identifier) @name)] @definition.method
[(property_signature name: (property_identifier) @name) (public_field_definition name: (property_identifier) @name)] @definition.property
`,
  references: '[(identifier) (type_identifier) (property_identifier) (shorthand_property_identifier)] @ref',
  bodyTypes: ['statement_block', 'class_body', 'interface_body', 'object_type', 'enum_body', 'object', 'array'],
};

const javascript: GrammarQueries = {
  definitions: `${scriptCommon}
(field_definition property: (property_identifier) @name) @definition.property
`,
  references: '[(identifier) (property_identifier) (shorthand_property_identifier)] @ref',
  bodyTypes: ['statement_block', 'class_body', 'object', 'array'],
};

const python: GrammarQueries = {
  definitions: `
(class_definition body: (block (function_definition name: (identifier) @name) @definition.method))
(class_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.method)))
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
(module (expression_statement (assignment left: (identifier) @name) @definition.variable))
`,
  references: '(identifier) @ref',
  bodyTypes: ['block'],
};

const go: GrammarQueries = {
  definitions: `
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.method
(method_elem name: (field_identifier) @name) @definition.method
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name) @definition.type
(type_alias name: (type_identifier) @name) @definition.type
(source_file (var_declaration (var_spec name: (identifier) @name) @definition.variable))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @definition.variable)))
(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))
`,
  references: '[(identifier) (type_identifier) (field_identifier)] @ref',
  bodyTypes: ['block', 'field_declaration_list', 'interface_type'],
};

const rust: GrammarQueries = {
  definitions: `
(impl_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list [(function_item name: (identifier) @name) (function_signature_item name: (identifier) @name)] @definition.method))
[(function_item name: (identifier) @name) (function_signature_item name: (identifier) @name)] @definition.function
[(struct_item name: (type_identifier) @name) (union_item name: (type_identifier) @name)] @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.interface
(type_item name: (type_identifier) @name) @definition.type
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.variable
(mod_item name: (identifier) @name) @definition.module
(macro_definition name: (identifier) @name) @definition.macro
(impl_item type: (type_identifier) @name) @definition.impl
(impl_item type: (generic_type type: (type_identifier) @name)) @definition.impl
`,
  references: '[(identifier) (type_identifier) (field_identifier)] @ref',
  bodyTypes: ['block', 'declaration_list', 'field_declaration_list', 'enum_variant_list'],
};

const java: GrammarQueries = {
  definitions: `
[(class_declaration name: (identifier) @name) (record_declaration name: (identifier) @name)] @definition.class
[(interface_declaration name: (identifier) @name) (annotation_type_declaration name: (identifier) @name)] @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
[(method_declaration name: (identifier) @name) (constructor_declaration name: (identifier) @name)] @definition.method
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.property
`,
  references: '[(identifier) (type_identifier)] @ref',
  bodyTypes: ['class_body', 'interface_body', 'enum_body', 'annotation_type_body', 'block', 'constructor_body'],
};

const csharp: GrammarQueries = {
  definitions: `
[(class_declaration name: (identifier) @name) (record_declaration name: (identifier) @name)] @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(delegate_declaration name: (identifier) @name) @definition.type
[(method_declaration name: (identifier) @name) (constructor_declaration name: (identifier) @name)] @definition.method
(property_declaration name: (identifier) @name) @definition.property
[(namespace_declaration name: (_) @name) (file_scoped_namespace_declaration name: (_) @name)] @definition.module
`,
  references: '(identifier) @ref',
  bodyTypes: ['declaration_list', 'block', 'enum_member_declaration_list', 'accessor_list', 'arrow_expression_clause'],
};

const cppMemberName = '[(field_identifier) (identifier) (destructor_name) (operator_name)]';

const cpp: GrammarQueries = {
  definitions: `
(field_declaration_list (function_definition declarator: (function_declarator declarator: ${cppMemberName} @name)) @definition.method)
(field_declaration_list (declaration declarator: (function_declarator declarator: ${cppMemberName} @name)) @definition.method)
(field_declaration_list (field_declaration declarator: (function_declarator declarator: ${cppMemberName} @name)) @definition.method)
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (identifier) @name))) @definition.method
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (qualified_identifier name: (identifier) @name)))) @definition.method
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(declaration declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(class_specifier name: (type_identifier) @name body: (_)) @definition.class
[(struct_specifier name: (type_identifier) @name body: (_)) (union_specifier name: (type_identifier) @name body: (_))] @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
[(type_definition declarator: (type_identifier) @name) (alias_declaration name: (type_identifier) @name)] @definition.type
(namespace_definition name: (namespace_identifier) @name) @definition.module
[(preproc_def name: (identifier) @name) (preproc_function_def name: (identifier) @name)] @definition.macro
(translation_unit (declaration declarator: (init_declarator declarator: (identifier) @name)) @definition.variable)
(translation_unit (declaration declarator: (identifier) @name) @definition.variable)
`,
  references: '[(identifier) (type_identifier) (field_identifier)] @ref',
  bodyTypes: ['compound_statement', 'field_declaration_list', 'enumerator_list', 'declaration_list'],
};

const ruby: GrammarQueries = {
  definitions: `
(class body: (body_statement (method name: (_) @name) @definition.method))
(module body: (body_statement (method name: (_) @name) @definition.method))
(singleton_method name: (_) @name) @definition.method
(method name: (_) @name) @definition.function
[(class name: (constant) @name) (class name: (scope_resolution name: (constant) @name))] @definition.class
[(module name: (constant) @name) (module name: (scope_resolution name: (constant) @name))] @definition.module
(assignment left: (constant) @name) @definition.constant
`,
  references: '[(identifier) (constant)] @ref',
  bodyTypes: ['body_statement'],
};

const php: GrammarQueries = {
  definitions: `
(method_declaration name: (name) @name) @definition.method
(function_definition name: (name) @name) @definition.function
(class_declaration name: (name) @name) @definition.class
[(interface_declaration name: (name) @name) (trait_declaration name: (name) @name)] @definition.interface
(enum_declaration name: (name) @name) @definition.enum
(namespace_definition name: (namespace_name) @name) @definition.module
(const_element (name) @name) @definition.constant
(property_declaration (property_element name: (variable_name (name) @name))) @definition.property
`,
  // PHP spells every word as (name), variables included; only names in calls and type positions are references.
  references: `
(function_call_expression function: [(name) (qualified_name (name))] @ref)
[(member_call_expression name: (name) @ref) (nullsafe_member_call_expression name: (name) @ref)]
(scoped_call_expression scope: (name)? @ref name: (name) @ref)
(member_access_expression name: (name) @ref)
(class_constant_access_expression (name) @ref)
(object_creation_expression [(name) (qualified_name (name))] @ref)
(named_type [(name) (qualified_name (name))] @ref)
[(base_clause (name) @ref) (class_interface_clause (name) @ref)]
`,
  bodyTypes: ['compound_statement', 'declaration_list', 'enum_declaration_list'],
};

const bash: GrammarQueries = {
  definitions: '(function_definition name: (word) @name) @definition.function',
  references: '(command_name (word) @ref)',
  bodyTypes: ['compound_statement'],
};

export const GRAMMAR_QUERIES: Readonly<Record<GrammarName, GrammarQueries>> = {
  typescript,
  tsx: typescript,
  javascript,
  python,
  go,
  rust,
  java,
  'c-sharp': csharp,
  cpp,
  ruby,
  php,
  bash,
};
