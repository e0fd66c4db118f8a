// Teach projects as a user keeps them: make one, switch between them, rename one, delete one — each kept across a
// reload (browser storage), with its classes and takes going wherever it goes.
import { expect, test, type Page } from '@playwright/test';
import { CRICKET_MP4 } from './paths.ts';
import { openWithGoldenWeights } from './helpers.ts';

const projectSelect = (page: Page) => page.getByTestId('teach-project');
const projectNames = async (page: Page) => (await projectSelect(page).locator('option').allTextContents()).sort();

async function addClassWithTake(page: Page, name: string): Promise<void> {
  await page.getByLabel('New class name').fill(name);
  await page.getByRole('button', { name: 'Add class' }).click();
  await page.getByTestId(`teach-files-${name}`).setInputFiles(CRICKET_MP4);
  await expect(page.locator(`[data-testid=teach-class][data-name="${name}"]`)).toHaveAttribute('data-takes', '1', { timeout: 120_000 });
}

async function openTeach(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Teach' }).click();
  await expect(page.getByTestId('teach')).toHaveAttribute('data-storage', 'kept');
}

test('teach projects are made, switched, renamed and deleted, and stay so after a reload', async ({ page }) => {
  test.setTimeout(300_000);
  await openWithGoldenWeights(page);
  await openTeach(page);
  const first = await projectSelect(page).inputValue();
  await addClassWithTake(page, 'bowling');

  // A second project: empty, and the first keeps its class.
  await page.getByLabel('New project name').fill('Kitchen');
  await page.getByRole('button', { name: 'New project' }).click();
  await expect(projectSelect(page)).toHaveValue('Kitchen');
  await expect(page.getByTestId('teach-class')).toHaveCount(0);
  await addClassWithTake(page, 'chopping');
  await projectSelect(page).selectOption(first);
  await expect(page.locator('[data-testid=teach-class][data-name="bowling"]')).toHaveAttribute('data-takes', '1');

  // Rename the open project: a name in use is refused; a new one carries its classes and takes.
  await projectSelect(page).selectOption('Kitchen');
  await page.getByRole('button', { name: 'Rename project' }).click();
  await page.getByLabel('Project name', { exact: true }).fill(first);
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByTestId('teach-error')).toContainText(`There is already a project called "${first}".`);
  await page.getByLabel('Project name', { exact: true }).fill('Cooking');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(projectSelect(page)).toHaveValue('Cooking');
  // The form closes once the project is written under its new name.
  await expect(page.getByRole('button', { name: 'Rename project' })).toBeVisible();
  expect(await projectNames(page)).toEqual(['Cooking', first].sort());
  await expect(page.locator('[data-testid=teach-class][data-name="chopping"]')).toHaveAttribute('data-takes', '1');

  // Kept so: after a reload the renamed project opens (it was the last open), with its take.
  await page.reload();
  await expect(page.getByTestId('weights-ready')).toBeVisible({ timeout: 60_000 });
  await openTeach(page);
  await expect(projectSelect(page)).toHaveValue('Cooking');
  expect(await projectNames(page)).toEqual(['Cooking', first].sort());
  await expect(page.locator('[data-testid=teach-class][data-name="chopping"]')).toHaveAttribute('data-takes', '1');

  // Delete asks first; keeping it changes nothing.
  await page.getByRole('button', { name: 'Delete project' }).click();
  await expect(page.getByRole('group', { name: 'Confirm deletion' })).toContainText('Delete “Cooking” and its 1 take?');
  await page.getByRole('button', { name: 'Keep it' }).click();
  expect(await projectNames(page)).toEqual(['Cooking', first].sort());
  await page.getByRole('button', { name: 'Delete project' }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Delete project' })).toBeVisible();
  await expect(projectSelect(page)).toHaveValue(first);
  expect(await projectNames(page)).toEqual([first]);
  await expect(page.locator('[data-testid=teach-class][data-name="bowling"]')).toHaveAttribute('data-takes', '1');

  await page.reload();
  await expect(page.getByTestId('weights-ready')).toBeVisible({ timeout: 60_000 });
  await openTeach(page);
  expect(await projectNames(page)).toEqual([first]);
  await expect(page.locator('[data-testid=teach-class][data-name="bowling"]')).toHaveAttribute('data-takes', '1');
});
