/**
 * The "Explain this codebase" prompt, shared by `hearth explain` and the VS Code command so that both ask the
 * same question the same way.
 *
 * Layout for the prefix cache: the repository block opens the system message and the instructions that follow
 * it never change, so every question about the same repository (the explanation, then follow-ups) shares the
 * whole system turn and prefills only its own question.
 */
import type { ChatMessage } from './protocol';

/**
 * How the block is packed for these prompts: fenced Markdown. Chat contents are plain text, so the Qwen
 * repository format's control tokens would be spelt out character by character rather than recognised.
 */
export const EXPLAIN_CONTEXT_FORMAT = 'markdown';

/** The sections the explanation is asked for, in order. */
export const EXPLAIN_SECTIONS = [
  'Purpose',
  'Architecture',
  'Main modules and data flow',
  'Entry points',
  'Build and test',
] as const;

const REPOSITORY_INSTRUCTIONS = `You are Hearth, a coding assistant running on the user's own machine. The repository above is the user's \
project: files shown whole, some as outlines (signature lines only), and the rest by path only. Answer from what \
it shows, refer to files by their paths, and say so when something is not visible in it rather than guessing.`;

const SECTION_DETAILS: Readonly<Record<(typeof EXPLAIN_SECTIONS)[number], string>> = {
  Purpose: 'what the project does, and for whom.',
  Architecture: 'the main layers or components and how they fit together.',
  'Main modules and data flow': 'the important folders and files, a line or two each, and how data flows between them.',
  'Entry points': 'where execution starts: executables, main files, commands, exported APIs.',
  'Build and test': 'the commands to install, build, run and test it, from its manifests and scripts.',
};

export const EXPLAIN_REQUEST = [
  'Explain this codebase to a developer who is new to it. Write Markdown with these sections, each a `##` heading:',
  '',
  ...EXPLAIN_SECTIONS.map((section) => `- ${section}: ${SECTION_DETAILS[section]}`),
  '',
  'Be concrete: name the files, functions and commands. Keep it under about 800 words.',
].join('\n');

/** A question about the repository: the block first (it may be empty), the stable instructions, then the question. */
export function repositoryQuestionMessages(repositoryBlock: string, question: string): ChatMessage[] {
  const block = repositoryBlock.trimEnd();
  return [
    { role: 'system', content: block === '' ? REPOSITORY_INSTRUCTIONS : `${block}\n\n${REPOSITORY_INSTRUCTIONS}` },
    { role: 'user', content: question },
  ];
}

/** The explanation request for a packed repository block. */
export function explainMessages(repositoryBlock: string): ChatMessage[] {
  return repositoryQuestionMessages(repositoryBlock, EXPLAIN_REQUEST);
}
